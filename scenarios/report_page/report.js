// kerbpool's HTML report page (embedded by scenarios/report_html.cpp after Chart.js, its annotation plugin and
// Mermaid). It reads the run data from <script id="kp-data" type="application/json"> and builds the page: the
// text report's words in sections, charts over the run's time axis with the phases as vertical lines, one
// sign-in sequence diagram per phase and the event logs as a filterable table. When everything is drawn it
// writes the outcome into #kp-status (data-state "ok" or "error"), which the headless-browser test reads.
(function () {
  'use strict';

  const status = document.getElementById('kp-status');
  const errors = (window.kpErrors || []).slice();
  function fail(message) {
    errors.push(String(message));
    status.dataset.state = 'error';
    status.hidden = false;
    status.textContent = 'Errors: ' + errors.join(' | ');
  }
  window.addEventListener('error', (e) => fail(e.message || e));
  window.addEventListener('unhandledrejection', (e) => fail((e.reason && e.reason.message) || e.reason));

  const data = JSON.parse(document.getElementById('kp-data').textContent);
  const app = document.getElementById('app');
  const compare = data.runs.length > 1;
  const charts = [];
  const diagrams = [];

  const COLORS = {
    kerberos: '#2e7d32',
    ntlm: '#ef6c00',
    prompt: '#6a1b9a',
    failed: '#c62828',
    anonymous: '#757575',
    webticket: '#00838f',
  };
  const PALETTE = ['#1565c0', '#ef6c00', '#2e7d32', '#6a1b9a', '#c62828', '#00838f', '#5d4037', '#9e9d24',
    '#ad1457', '#455a64'];
  const KINDS = ['kerberos', 'ntlm', 'webticket', 'prompt', 'failed', 'anonymous'];
  const KIND_LABEL = {kerberos: 'Kerberos', ntlm: 'NTLM', webticket: 'web ticket', prompt: 'prompted', failed: 'failed',
    anonymous: 'anonymous'};

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') {
        e.className = v;
      } else if (k === 'text') {
        e.textContent = v;
      } else {
        e.setAttribute(k, v);
      }
    }
    for (const c of children) {
      if (c !== null && c !== undefined) {
        e.append(c);
      }
    }
    return e;
  }

  // ---- The text report, in sections ------------------------------------------------------------------------
  // A line at column 0 starts a section; "Why:" and "Fix:" paragraphs, "PS>" commands and tables (a header
  // line above a line of dashes) keep the text report's words.
  function parseSections(text) {
    const sections = [];
    let current = null;
    for (const line of text.split('\n')) {
      if (line.length > 0 && line[0] !== ' ') {
        current = {heading: line, lines: []};
        sections.push(current);
      } else if (current) {
        current.lines.push(line);
      }
    }
    return sections;
  }

  function indentOf(line) {
    return line.length - line.trimStart().length;
  }

  function renderBody(lines) {
    const out = el('div', {class: 'section-body'});
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (line.trim() === '') {
        i++;
        continue;
      }
      const indent = indentOf(line);
      const next = lines[i + 1] || '';
      if (/^-{5,}$/.test(next.trim())) {
        // A table: header, dashes, rows at the same indentation.
        const rows = [line, next];
        i += 2;
        while (i < lines.length && lines[i].trim() !== '' && indentOf(lines[i]) === indent) {
          rows.push(lines[i]);
          i++;
        }
        out.append(el('pre', {class: 'table', text: rows.map((r) => r.slice(indent)).join('\n')}));
        continue;
      }
      if (line.trimStart().startsWith('PS>')) {
        const block = [line.slice(indent)];
        i++;
        while (i < lines.length && lines[i].trim() !== '' && indentOf(lines[i]) > indent) {
          block.push(lines[i].slice(indent));
          i++;
        }
        out.append(el('pre', {class: 'command', text: block.join('\n')}));
        continue;
      }
      // A paragraph: the line and its continuation lines (deeper indentation).
      const words = [line.trim()];
      i++;
      while (i < lines.length && lines[i].trim() !== '' && indentOf(lines[i]) > indent &&
             !lines[i].trimStart().startsWith('PS>') && !/^-{5,}$/.test((lines[i + 1] || '').trim())) {
        words.push(lines[i].trim());
        i++;
      }
      const textLine = words.join(' ');
      const m = /^(Why|Fix):\s(.*)$/.exec(textLine);
      if (m) {
        out.append(el('p', {class: m[1].toLowerCase()}, el('strong', {text: m[1] + ': '}), m[2]));
      } else if (indent > 2) {
        out.append(el('p', {class: 'detail', text: textLine}));
      } else {
        out.append(el('p', {text: textLine}));
      }
    }
    return out;
  }

  function renderReportText(run) {
    const sections = parseSections(run.text);
    const box = el('div', {class: 'report-text'});
    sections.forEach((s, index) => {
      if (index === 0) {
        return;  // the title and story, shown at the top
      }
      const verdictLine = /^(PASS|FAIL|INCOMPLETE)/.test(s.heading);
      const section = el('section', {class: verdictLine ? 'verdict-line ' + (run.passed ? 'pass' : 'fail') : ''});
      section.append(el(verdictLine ? 'p' : 'h3', {text: s.heading}));
      section.append(renderBody(s.lines));
      box.append(section);
    });
    return box;
  }

  function storyOf(run) {
    const first = parseSections(run.text)[0];
    return first ? first.lines.map((l) => l.trim()).join(' ').trim() : '';
  }

  // ---- Charts -----------------------------------------------------------------------------------------------
  function xs(series) {
    const w = series.width_s;
    return Array.from({length: series.buckets}, (_, i) => +(i * w + w / 2).toFixed(4));
  }
  function perSecond(values, series) {
    return values.map((v) => (v === null ? null : v / series.width_s));
  }
  function points(xValues, yValues) {
    return xValues.map((x, i) => ({x: x, y: yValues[i]}));
  }
  function sumArrays(arrays, length) {
    const out = new Array(length).fill(0);
    for (const a of arrays) {
      a.forEach((v, i) => { out[i] += v || 0; });
    }
    return out;
  }
  function duration(run) {
    return run.series.buckets * run.series.width_s;
  }

  function phaseLines(run) {
    const annotations = {};
    run.series.phases.forEach((p, i) => {
      if (i === 0) {
        return;
      }
      annotations['phase' + i] = {
        type: 'line',
        xMin: p.start_s,
        xMax: p.start_s,
        borderColor: '#37474f',
        borderWidth: 2,
        borderDash: [6, 4],
        label: {display: true, content: p.label, position: 'start', backgroundColor: 'rgba(55,71,79,0.85)',
          font: {size: 11}},
      };
    });
    return annotations;
  }

  function timeOptions(run, axes, extra) {
    const options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      // The points are {x, y}, sorted by x: Chart.js can skip parsing and its sort checks.
      parsing: false,
      normalized: true,
      interaction: {mode: 'nearest', axis: 'x', intersect: false},
      plugins: {annotation: {annotations: Object.assign(phaseLines(run), (extra && extra.annotations) || {})},
        legend: {position: 'bottom'}},
      scales: {
        x: {type: 'linear', min: 0, max: axes.xMax, title: {display: true, text: 'seconds since the clients started'}},
        y: {beginAtZero: true, title: {display: true, text: (extra && extra.yTitle) || ''}},
      },
    };
    if (axes.yMax !== undefined) {
      options.scales.y.max = axes.yMax;
    }
    return options;
  }

  // Each chart kind: a title, how to build it for a run, and the highest y value (shared across runs when
  // comparing, so the panels are on the same axes).
  const CHARTS = [
    {
      id: 'outcomes',
      title: 'Requests per second by outcome',
      note: 'Stacked: Kerberos, NTLM (the fallback), prompted (a credential pop-up) and failed requests.',
      yMax: (run) => Math.max(0, ...sumArrays(KINDS.map((k) => run.series.outcomes[k]), run.series.buckets)
        .map((v) => v / run.series.width_s)),
      build: (run, axes) => {
        const x = xs(run.series);
        const datasets = KINDS.filter((k) => run.series.outcomes[k].some((v) => v > 0) || k === 'kerberos' || k === 'ntlm')
          .map((k) => ({label: KIND_LABEL[k], data: points(x, perSecond(run.series.outcomes[k], run.series)),
            backgroundColor: COLORS[k], borderColor: COLORS[k], stack: 'outcomes'}));
        const options = timeOptions(run, axes, {yTitle: 'requests/s'});
        options.scales.x.stacked = true;
        options.scales.y.stacked = true;
        return {type: 'bar', data: {datasets: datasets}, options: options};
      },
    },
    {
      id: 'latency',
      title: 'Latency percentiles over time',
      note: 'Per interval, one request with all its legs (from a histogram of 8 bins per decade: values are bin edges).',
      yMax: (run) => Math.max(1, ...run.series.latency_ms.p99.filter((v) => v !== null)),
      build: (run, axes) => {
        const x = xs(run.series);
        const colors = {p50: '#1565c0', p95: '#ef6c00', p99: '#c62828'};
        const datasets = ['p50', 'p95', 'p99'].map((p) => ({label: p, data: points(x, run.series.latency_ms[p]),
          borderColor: colors[p], backgroundColor: colors[p], pointRadius: 0, borderWidth: 2, spanGaps: true}));
        const options = timeOptions(run, axes, {yTitle: 'ms (log scale)'});
        options.scales.y = {type: 'logarithmic', min: 0.1, max: axes.yMax, title: {display: true, text: 'ms (log scale)'}};
        return {type: 'line', data: {datasets: datasets}, options: options};
      },
    },
    {
      id: 'netlogon',
      title: 'DC: Netlogon pass-throughs per second, MaxConcurrentApi waiters and timeouts',
      note: 'Bars: NTLM logons the DC validated per second. Lines (right axis): the most pass-throughs seen ' +
        'waiting for a MaxConcurrentApi slot, and those that gave up waiting (timeouts), per interval.',
      yMax: (run) => Math.max(1, ...run.series.netlogon_calls.map((v) => v / run.series.width_s)),
      y2Max: (run) => Math.max(run.max_concurrent_api, ...run.series.netlogon_waiters, ...run.series.netlogon_timeouts) + 1,
      build: (run, axes) => {
        const x = xs(run.series);
        const datasets = [
          {type: 'bar', label: 'pass-throughs/s', data: points(x, perSecond(run.series.netlogon_calls, run.series)),
            backgroundColor: '#ef6c00', yAxisID: 'y'},
          {type: 'line', label: 'waiters (most)', data: points(x, run.series.netlogon_waiters), borderColor: '#6a1b9a',
            backgroundColor: '#6a1b9a', pointRadius: 0, stepped: true, yAxisID: 'y2'},
          {type: 'line', label: 'timeouts', data: points(x, run.series.netlogon_timeouts), borderColor: '#c62828',
            backgroundColor: '#c62828', pointRadius: 0, stepped: true, yAxisID: 'y2'},
        ];
        const options = timeOptions(run, axes, {
          yTitle: 'pass-throughs/s',
          annotations: {mca: {type: 'line', yScaleID: 'y2', yMin: run.max_concurrent_api, yMax: run.max_concurrent_api,
            borderColor: '#6a1b9a', borderDash: [2, 2], borderWidth: 1,
            label: {display: true, content: 'MaxConcurrentApi ' + run.max_concurrent_api, position: 'end',
              backgroundColor: 'rgba(106,27,154,0.8)', font: {size: 10}}}},
        });
        options.scales.y2 = {position: 'right', beginAtZero: true, max: axes.y2Max, grid: {drawOnChartArea: false},
          title: {display: true, text: 'waiters / timeouts'}};
        return {type: 'bar', data: {datasets: datasets}, options: options};
      },
    },
    {
      id: 'kdc-requests',
      title: 'KDC requests per second',
      note: 'AS-REQ (logons: the first is answered KDC_ERR_PREAUTH_REQUIRED) and TGS-REQ (service tickets).',
      yMax: (run) => Math.max(1, ...sumArrays(Object.values(run.series.kdc_requests), run.series.buckets)
        .map((v) => v / run.series.width_s)),
      build: (run, axes) => {
        const x = xs(run.series);
        const datasets = Object.entries(run.series.kdc_requests).map(([name, values], i) => ({label: name,
          data: points(x, perSecond(values, run.series)), backgroundColor: PALETTE[i % PALETTE.length], stack: 'kdc'}));
        const options = timeOptions(run, axes, {yTitle: 'requests/s'});
        options.scales.y.stacked = true;
        options.scales.x.stacked = true;
        return {type: 'bar', data: {datasets: datasets}, options: options};
      },
    },
    {
      id: 'kdc-errors',
      title: 'KDC errors per second by code',
      note: 'KRB-ERROR replies by RFC name (KDC_ERR_S_PRINCIPAL_UNKNOWN: a duplicate or missing SPN).',
      yMax: (run) => Math.max(1, ...sumArrays(Object.values(run.series.kdc_errors), run.series.buckets)
        .map((v) => v / run.series.width_s)),
      build: (run, axes) => {
        const x = xs(run.series);
        const datasets = Object.entries(run.series.kdc_errors).map(([name, values], i) => ({label: name,
          data: points(x, perSecond(values, run.series)), backgroundColor: PALETTE[(i + 4) % PALETTE.length],
          stack: 'errors'}));
        const options = timeOptions(run, axes, {yTitle: 'errors/s'});
        options.scales.y.stacked = true;
        options.scales.x.stacked = true;
        return {type: 'bar', data: {datasets: datasets}, options: options};
      },
    },
    {
      id: 'nodes-time',
      title: 'Requests per second by node',
      note: 'The node that gave the final answer (X-Kerbpool-Node).',
      yMax: (run) => Math.max(1, ...Object.values(run.series.nodes).flatMap((byKind) =>
        sumArrays(KINDS.map((k) => byKind[k]), run.series.buckets).map((v) => v / run.series.width_s))),
      build: (run, axes) => {
        const x = xs(run.series);
        const datasets = Object.entries(run.series.nodes).map(([name, byKind], i) => ({label: name,
          data: points(x, perSecond(sumArrays(KINDS.map((k) => byKind[k]), run.series.buckets), run.series)),
          borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length], pointRadius: 0}));
        return {type: 'line', data: {datasets: datasets}, options: timeOptions(run, axes, {yTitle: 'requests/s'})};
      },
    },
    {
      id: 'nodes-outcomes',
      title: 'Outcomes per node',
      note: 'Every request of the run, by the node that answered.',
      yMax: (run) => Math.max(1, ...Object.values(run.series.nodes).map((byKind) =>
        KINDS.reduce((s, k) => s + byKind[k].reduce((a, b) => a + b, 0), 0))),
      build: (run, axes) => totalsChart(run.series.nodes, axes),
    },
    {
      id: 'profiles-time',
      title: 'Kerberos share per client profile over time',
      note: 'Per interval: the share of each profile\'s requests that used Kerberos.',
      yMax: () => 100,
      build: (run, axes) => {
        const x = xs(run.series);
        const datasets = Object.entries(run.series.profiles).map(([name, byKind], i) => {
          const total = sumArrays(KINDS.map((k) => byKind[k]), run.series.buckets);
          return {label: name, data: points(x, byKind.kerberos.map((v, j) => (total[j] ? (100 * v) / total[j] : null))),
            borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length], pointRadius: 0,
            spanGaps: true};
        });
        return {type: 'line', data: {datasets: datasets}, options: timeOptions(run, axes, {yTitle: '% Kerberos'})};
      },
    },
    {
      id: 'profiles-outcomes',
      title: 'Outcomes per client profile',
      note: 'Every request of the run, by the workstation\'s profile.',
      yMax: (run) => Math.max(1, ...Object.values(run.series.profiles).map((byKind) =>
        KINDS.reduce((s, k) => s + byKind[k].reduce((a, b) => a + b, 0), 0))),
      build: (run, axes) => totalsChart(run.series.profiles, axes),
    },
    {
      id: 'latency-distribution',
      title: 'Latency distribution: Kerberos against NTLM',
      note: 'Requests per latency bin (8 bins per decade), one request with all its legs.',
      shared: (runs) => {
        // The union of the runs' bins, so that compared panels share the x axis.
        const edges = new Set();
        runs.forEach((r) => r.latency_histogram.upper_ms.forEach((e) => edges.add(e)));
        return [...edges].sort((a, b) => a - b);
      },
      yMax: (run) => Math.max(1, ...Object.values(run.latency_histogram.counts).flat()),
      build: (run, axes) => {
        const edges = axes.shared || run.latency_histogram.upper_ms;
        const own = run.latency_histogram.upper_ms;
        const datasets = Object.entries(run.latency_histogram.counts).map(([kind, counts]) => ({
          label: KIND_LABEL[kind] || kind,
          data: edges.map((e) => { const i = own.indexOf(e); return i < 0 ? 0 : counts[i]; }),
          backgroundColor: COLORS[kind] || '#607d8b'}));
        const labels = edges.map((e) => '< ' + (e < 10 ? e.toFixed(2) : e < 100 ? e.toFixed(1) : e.toFixed(0)) + ' ms');
        const options = {animation: false, responsive: true, maintainAspectRatio: false,
          plugins: {legend: {position: 'bottom'}},
          scales: {x: {title: {display: true, text: 'latency'}}, y: {beginAtZero: true, max: axes.yMax,
            title: {display: true, text: 'requests'}}}};
        return {type: 'bar', data: {labels: labels, datasets: datasets}, options: options};
      },
    },
  ];

  function totalsChart(groups, axes) {
    const names = Object.keys(groups);
    const datasets = KINDS.filter((k) => names.some((n) => groups[n][k].some((v) => v > 0)) || k === 'kerberos')
      .map((k) => ({label: KIND_LABEL[k], data: names.map((n) => groups[n][k].reduce((a, b) => a + b, 0)),
        backgroundColor: COLORS[k], stack: 'totals'}));
    return {type: 'bar', data: {labels: names, datasets: datasets},
      options: {animation: false, responsive: true, maintainAspectRatio: false, plugins: {legend: {position: 'bottom'}},
        scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true, max: axes.yMax,
          title: {display: true, text: 'requests'}}}}};
  }

  function sharedAxes(kind) {
    const xMax = Math.max(...data.runs.map(duration));
    const axes = {xMax: +xMax.toFixed(4)};
    if (compare) {
      axes.yMax = Math.max(...data.runs.map(kind.yMax));
      axes.yMax = kind.id === 'latency' ? axes.yMax : Math.ceil(axes.yMax * 1.05);
    } else if (kind.id === 'latency') {
      axes.yMax = kind.yMax(data.runs[0]);
    }
    if (kind.y2Max) {
      axes.y2Max = Math.max(...data.runs.map(kind.y2Max));
    }
    if (kind.shared) {
      axes.shared = kind.shared(data.runs);
    }
    return axes;
  }

  function drawChart(container, kind, run, axes) {
    const canvas = el('canvas', {class: 'chart', 'data-chart': kind.id});
    container.append(el('div', {class: 'chart-box'}, canvas));
    const config = kind.build(run, axes);
    if (config.data.datasets.length === 0) {
      // Nothing of this kind happened in the run (no KDC request from external PCs...): say so on zeros.
      const zeros = config.data.labels ? config.data.labels.map(() => 0)
        : points(xs(run.series), new Array(run.series.buckets).fill(0));
      if (config.data.labels && config.data.labels.length === 0) {
        config.data.labels = ['-'];
        zeros.push(0);
      }
      config.data.datasets.push({label: 'none in this run', data: zeros, backgroundColor: '#9e9e9e'});
    }
    const chart = new Chart(canvas, config);
    charts.push({chart: chart, canvas: canvas, kind: kind.id});
  }

  function renderCharts(parent) {
    const section = el('section', {id: 'charts', class: 'block'}, el('h2', {text: 'Over time'}));
    section.append(el('p', {class: 'hint', text: 'Dashed vertical lines: the timeline events that start each phase. ' +
      'Intervals of ' + data.runs.map((r) => (r.series.width_s * 1000).toFixed(0) + ' ms').join(' / ') +
      (compare ? '. The panels of a row share their axes.' : '.')}));
    parent.append(section);  // in the document first: Chart.js sizes a canvas from its container
    for (const kind of CHARTS) {
      const axes = sharedAxes(kind);
      const row = el('div', {class: 'chart-row cols-' + data.runs.length});
      data.runs.forEach((run) => {
        const cell = el('div', {class: 'chart-cell'});
        if (compare) {
          cell.append(el('div', {class: 'run-label', text: run.label}));
        }
        row.append(cell);
      });
      section.append(el('h3', {text: kind.title}), el('p', {class: 'hint', text: kind.note}), row);
      data.runs.forEach((run, i) => drawChart(row.children[i], kind, run, axes));
    }
  }

  // ---- Sequence diagrams ------------------------------------------------------------------------------------
  function renderSequences(parent) {
    const section = el('section', {id: 'sequences', class: 'block'}, el('h2', {text: 'Sign-in sequence, one client per phase'}));
    section.append(el('p', {class: 'hint', text: 'The first request that began in each phase, message by message as ' +
      'the run exchanged them: DNS, the KDC (AS and TGS exchanges), the HTTP legs through the load balancer to the ' +
      'node that answered and, for NTLM, the node\'s Netlogon pass-through to the DC.'}));
    const row = el('div', {class: 'chart-row cols-' + data.runs.length});
    data.runs.forEach((run, r) => {
      const cell = el('div', {class: 'chart-cell'});
      if (compare) {
        cell.append(el('div', {class: 'run-label', text: run.label}));
      }
      run.traces.forEach((t, i) => {
        const box = el('div', {class: 'sequence', 'data-phase': String(t.phase)});
        cell.append(el('h3', {text: 'Phase ' + (t.phase + 1) + ': ' + t.label}),
          el('p', {class: 'hint', text: t.user + ' on ' + t.workstation + ' (' + t.profile + '): ' + t.outcome +
            ' (' + t.reason + ')'}), box);
        diagrams.push({box: box, text: t.mermaid, id: 'kp-seq-' + r + '-' + i});
      });
      if (run.traces.length === 0) {
        cell.append(el('p', {text: 'No request was traced in this run.'}));
      }
      row.append(cell);
    });
    section.append(row);
    parent.append(section);
  }

  // ---- Event log --------------------------------------------------------------------------------------------
  function renderEvents(parent) {
    const section = el('section', {id: 'events', class: 'block'}, el('h2', {text: 'Event logs'}));
    data.runs.forEach((run) => {
      const ev = run.events;
      const wrap = el('div', {class: 'events'});
      if (compare) {
        wrap.append(el('h3', {text: run.label}));
      }
      const filter = el('input', {type: 'search', class: 'event-filter', placeholder: 'Filter: 4769, 0x7, fe01, user001...'});
      const ids = [...new Set(ev.rows.map((r) => r[2]))].sort((a, b) => a - b);
      const select = el('select', {class: 'event-id'}, el('option', {value: '', text: 'every event id'}),
        ...ids.map((id) => el('option', {value: String(id), text: String(id)})));
      const count = el('span', {class: 'hint'});
      const body = el('tbody');
      const table = el('table', {class: 'event-table'},
        el('thead', {}, el('tr', {}, ...['s', 'computer', 'event', 'source', 'fields', 'message'].map((h) => el('th', {text: h})))),
        body);
      const rows = ev.rows.map((r) => {
        const cells = [Number(r[0]).toFixed(3), r[1], r[2], r[3], r[4], ev.messages[r[5]]].map(String);
        const tr = el('tr', {}, ...cells.map((v) => el('td', {text: v})));
        return {tr: tr, text: cells.join(' ').toLowerCase(), id: String(r[2])};
      });
      rows.forEach((r) => body.append(r.tr));
      function apply() {
        const words = filter.value.toLowerCase().split(/\s+/).filter((w) => w);
        let shown = 0;
        for (const r of rows) {
          const visible = (!select.value || r.id === select.value) && words.every((w) => r.text.includes(w));
          r.tr.hidden = !visible;
          shown += visible ? 1 : 0;
        }
        count.textContent = shown + ' of ' + ev.shown + ' rows' +
          (ev.shown < ev.retained ? ' (' + ev.retained + ' records retained; the first and last of each event id are listed)' : '');
      }
      filter.addEventListener('input', apply);
      select.addEventListener('change', apply);
      wrap.append(el('div', {class: 'event-controls'}, filter, select, count), el('div', {class: 'table-scroll'}, table));
      apply();
      section.append(wrap);
    });
    parent.append(section);
  }

  // ---- The page ---------------------------------------------------------------------------------------------
  function render() {
    const header = el('header', {class: 'block'});
    header.append(el('h1', {text: compare ? 'kerbpool compare: ' + data.runs.map((r) => r.label).join(', ')
      : 'kerbpool run ' + data.runs[0].label + ': ' + data.runs[0].title}));
    const cols = el('div', {class: 'chart-row cols-' + data.runs.length});
    data.runs.forEach((run) => {
      const cell = el('div', {class: 'chart-cell'});
      if (compare) {
        cell.append(el('h2', {text: run.label + ': ' + run.title}));
      }
      cell.append(el('span', {class: 'badge ' + (run.passed ? 'pass' : 'fail'), text: run.passed ? 'PASS' : 'FAIL'}));
      cell.append(el('p', {class: 'story', text: storyOf(run)}));
      // formatVerdict: the label, then the finding and the fix as wrapped paragraphs.
      cell.append(el('div', {class: 'verdict'}, renderBody(run.verdict.replace(/\s+$/, '').split('\n').slice(1))));
      cols.append(cell);
    });
    header.append(cols);
    if (data.summary) {
      header.append(el('h2', {text: 'Side by side'}), el('pre', {class: 'table', text: data.summary.replace(/\s+$/, '')}));
    }
    header.append(el('nav', {}, ...[['charts', 'Over time'], ['sequences', 'Sign-in sequences'], ['report', 'The report'],
      ['events', 'Event logs']].map(([id, text]) => el('a', {href: '#' + id, text: text}))));
    app.append(header);
    renderCharts(app);
    renderSequences(app);
    const report = el('section', {id: 'report', class: 'block'}, el('h2', {text: 'The report'}));
    const row = el('div', {class: 'chart-row cols-' + data.runs.length});
    data.runs.forEach((run) => {
      const cell = el('div', {class: 'chart-cell'});
      if (compare) {
        cell.append(el('div', {class: 'run-label', text: run.label}));
      }
      cell.append(renderReportText(run));
      row.append(cell);
    });
    report.append(row);
    app.append(report);
    renderEvents(app);
    app.append(el('footer', {text: 'Drawn with ' + data.libraries.join(', ') + ', embedded in this file.'}));
  }

  // Every chart drew something: a canvas with a size, at least one data point and non-blank pixels.
  function checkCharts() {
    let bad = 0;
    for (const c of charts) {
      const pointsCount = c.chart.data.datasets.reduce((n, d) => n + d.data.length, 0);
      let inked = 0;
      if (c.canvas.width > 0 && c.canvas.height > 0) {
        const pixels = c.canvas.getContext('2d').getImageData(0, 0, c.canvas.width, c.canvas.height).data;
        for (let i = 3; i < pixels.length; i += 16) {
          inked += pixels[i] > 0 ? 1 : 0;
        }
      }
      c.canvas.dataset.points = String(pointsCount);
      c.canvas.dataset.inked = String(inked);
      if (pointsCount === 0 || inked === 0) {
        bad++;
        fail('chart ' + c.kind + ' is empty');
      }
    }
    return bad;
  }

  // Mermaid (the largest library) is embedded as text and started only after the charts are on screen, so
  // the page shows its content while Mermaid is parsed.
  function loadMermaid() {
    if (!window.mermaid) {
      const script = document.createElement('script');
      script.textContent = document.getElementById('kp-lib-mermaid').textContent;
      document.head.append(script);
    }
  }

  async function drawDiagrams() {
    loadMermaid();
    mermaid.initialize({startOnLoad: false, securityLevel: 'strict', theme: 'default',
      sequence: {wrap: true, width: 220, messageFontSize: 13, showSequenceNumbers: true, mirrorActors: false}});
    for (const d of diagrams) {
      const {svg} = await mermaid.render(d.id, d.text);
      d.box.innerHTML = svg;
      const drawn = d.box.querySelector('svg');
      const messages = drawn ? drawn.querySelectorAll('.messageText').length : 0;
      d.box.dataset.messages = String(messages);
      if (!drawn || messages === 0) {
        fail('sequence diagram ' + d.id + ' is empty');
      }
    }
  }

  async function main() {
    try {
      render();
      // Shown: everything but the sequence diagrams, painted before Mermaid starts.
      status.dataset.viewMs = String(Math.round(performance.now()));
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      await drawDiagrams();
      // Resizes settle on the next frames.
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      for (const c of charts) {
        c.chart.resize();
      }
      checkCharts();
    } catch (e) {
      fail(e && e.stack ? e.stack : e);
    }
    // From navigation start to everything drawn (the page's own clock).
    status.dataset.renderMs = String(Math.round(performance.now()));
    status.dataset.charts = String(charts.length);
    status.dataset.diagrams = String(diagrams.length);
    if (errors.length === 0) {
      status.dataset.state = 'ok';
      status.textContent = 'rendered ' + charts.length + ' charts and ' + diagrams.length + ' sequence diagrams';
    }
  }

  main();
})();
