#!/usr/bin/env bash
# Generates the seed corpora of the fuzz targets (tests/fuzz) from real bytes, into BUILD_DIR/fuzz-seeds/<target>/
# (a build folder, never committed):
#   - the MIT krb5 exchange in ../shared/reference/captures (KDC requests and replies, the HTTP Negotiate token
#     and its answer, the keytab), read from the pcapng at run time;
#   - the published vectors in ../shared/reference/vectors (MIT reference DER encodings, keytabs, MS-NLMP
#     messages, RFC 4121 tokens, SPNEGO tokens);
#   - the built-in scenarios (scenarios/builtin/*.json) and the example realm (examples/contoso.realm.json).
# Usage: scripts/fuzz-seeds.sh [BUILD_DIR]   (default build-fuzz; KERBPOOL_REFERENCE_DIR overrides the
# reference folder). The seed folder is rebuilt from scratch each time.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build-fuzz}
reference=${KERBPOOL_REFERENCE_DIR:-../shared/reference}
out="$build_dir/fuzz-seeds"
if [ ! -d "$reference/vectors" ] || [ ! -d "$reference/captures" ]; then
  echo "fuzz-seeds: no vectors/ and captures/ under $reference (set KERBPOOL_REFERENCE_DIR)" >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out"

python3 - "$reference" "$out" <<'PY'
import base64, glob, json, os, re, struct, sys

reference, out = sys.argv[1], sys.argv[2]
counts = {}

def seed(target, name, data):
    folder = os.path.join(out, target)
    os.makedirs(folder, exist_ok=True)
    name = re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-')[:80]
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)
    counts[target] = counts.get(target, 0) + 1

def vectors(name):
    with open(os.path.join(reference, 'vectors', name)) as f:
        return json.load(f)['vectors']

def der_length(data, offset):
    """(length of the whole TLV at offset) for a definite-length DER element."""
    first = data[offset + 1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7f
    return 2 + n + int.from_bytes(data[offset + 2:offset + 2 + n], 'big')

def der(tag, content):
    n = len(content)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, 'big')
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + content

def der_int(v):
    return der(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), 'big', signed=True))

def record(kind, payload):
    """One request of tests/fuzz/http_auth_input.hpp."""
    return bytes([kind]) + len(payload).to_bytes(2, 'big') + payload

# --- the MIT capture ---------------------------------------------------------------------------------
def packets(path):
    data = open(path, 'rb').read()
    offset = 0
    while offset + 8 <= len(data):
        block_type, block_len = struct.unpack_from('<II', data, offset)
        if block_type == 6:  # Enhanced Packet Block, Ethernet
            caplen = struct.unpack_from('<I', data, offset + 20)[0]
            frame = data[offset + 28:offset + 28 + caplen]
            ip = frame[14:]
            ihl = (ip[0] & 0x0f) * 4
            total = struct.unpack_from('>H', ip, 2)[0]
            if ip[9] == 17:
                length = struct.unpack_from('>H', ip, ihl + 4)[0]
                yield 'udp', ip[ihl + 8:ihl + length]
            elif ip[9] == 6:
                data_offset = (ip[ihl + 12] >> 4) * 4
                payload = ip[ihl + data_offset:total]
                if payload:
                    yield 'tcp', payload
        offset += block_len

names = {0x6a: 'as-req', 0x6b: 'as-rep', 0x6c: 'tgs-req', 0x6d: 'tgs-rep', 0x7e: 'krb-error'}
http_tokens = []
for i, (proto, payload) in enumerate(packets(os.path.join(reference, 'captures', 'mit-kinit-kvno-curl.pcapng'))):
    if proto == 'udp':
        name = 'capture-%d-%s' % (i, names.get(payload[0], 'udp'))
        seed('krb5_messages', name, payload)
        if payload[0] in (0x6a, 0x6c):
            seed('kdc_request', name + '-udp', b'\x00' + payload)
            seed('kdc_request', name + '-tcp', b'\x01' + payload)
            # The KDC-REQ-BODY inside: [4] of the KDC-REQ SEQUENCE, for krb5_types.
            seq = 2 + (payload[1] & 0x7f if payload[1] & 0x80 else 0)
            inner = seq + 2 + (payload[seq + 1] & 0x7f if payload[seq + 1] & 0x80 else 0)
            pos = inner
            while pos < len(payload):
                size = der_length(payload, pos)
                if payload[pos] == 0xa4:
                    body_at = pos + 2 + (payload[pos + 1] & 0x7f if payload[pos + 1] & 0x80 else 0)
                    seed('krb5_types', name + '-req-body', payload[body_at:pos + size])
                elif payload[pos] == 0xa3:
                    seq_at = pos + 2 + (payload[pos + 1] & 0x7f if payload[pos + 1] & 0x80 else 0)
                    seed('krb5_types', name + '-padata', payload[seq_at:pos + size])
                pos += size
    else:
        text = payload.decode('latin-1')
        for header in ('Authorization', 'WWW-Authenticate'):
            m = re.search(header + r': Negotiate ([A-Za-z0-9+/=]+)', text)
            if m:
                http_tokens.append((header.lower(), base64.b64decode(m.group(1))))

krb5_mech = bytes.fromhex('06092a864886f712010202')
for header, token in http_tokens:
    name = 'capture-' + header
    seed('spnego_tokens', name, token)
    if header == 'authorization':
        seed('frontend_auth', name, b'\x00' + record(1, token))
        seed('frontend_auth', name + '-persist-twice', b'\x01' + record(1, token) + record(0, b'') + record(5, token))
    # The krb5 mechanism token (60 .. OID TOK_ID message), not the OID in a mech list.
    at = max(token.find(krb5_mech + b'\x01\x00'), token.find(krb5_mech + b'\x02\x00'))
    if at >= 0:
        # The krb5 mechanism token inside the SPNEGO token: 60 .. OID TOK_ID message.
        start = token.rfind(b'\x60', 0, at)
        if start >= 0:
            seed('spnego_tokens', name + '-krb5-token', token[start:start + der_length(token, start)])
        message_at = at + len(krb5_mech) + 2
        message = token[message_at:message_at + der_length(token, message_at)]
        seed('krb5_messages', name + '-' + ('ap-req' if message[0] == 0x6e else 'ap-rep'), message)
seed('keytab', 'capture-keytab', open(os.path.join(reference, 'captures', 'mit-kinit-kvno-curl.keytab'), 'rb').read())

# --- published vectors -------------------------------------------------------------------------------
for v in vectors('mit-krb5-asn1-reference-encodings.json'):
    data = bytes.fromhex(v['der_hex'])
    target = 'krb5_messages' if data[0] & 0xe0 == 0x60 else 'krb5_types'
    seed(target, 'mit-ref-' + v['name'], data)
for v in vectors('keytab-0502.json'):
    seed('keytab', 'vector-' + v['name'], bytes.fromhex(v['keytab_hex']))
for v in vectors('rfc4178-spnego-tokens.json'):
    token = bytes.fromhex(v['token_hex'])
    seed('spnego_tokens', 'rfc4178-' + v['name'], token)
    framed = v.get('framed_initial_token_hex_derived')
    if framed:
        seed('spnego_tokens', 'rfc4178-framed-' + v['name'], bytes.fromhex(framed))
        seed('frontend_auth', 'rfc4178-framed-' + v['name'], b'\x00' + record(1, bytes.fromhex(framed)))
    else:
        seed('frontend_auth', 'rfc4178-' + v['name'], b'\x00' + record(1, token))
for i, v in enumerate(vectors('rfc4121-mic-wrap-tokens.json')):
    token = bytes.fromhex(v['token_hex'])
    control = (0x01 if v['etype'] == 18 else 0) | (0x02 if v['sender'] == 'acceptor' else 0)
    seed('gss_tokens', 'rfc4121-%d-received' % i, bytes([control]) + token)
    payload = bytes.fromhex(v.get('payload_hex') or v.get('message_hex') or '')
    sealed = 1 if v['flags'] & 0x02 else 0
    rrc, ec = v.get('rrc') or 0, v.get('ec') or 0
    seed('gss_tokens', 'rfc4121-%d-round-trip' % i,
         bytes([control | 0x80, sealed]) + rrc.to_bytes(2, 'big') + bytes([ec & 0xff]) + payload)

# A NEGOTIATE as Windows 10 sends it (flags e2088297, Version 10.0.19041 rev 15): MS-NLMP 4.2 has none.
negotiate = (b'NTLMSSP\x00' + struct.pack('<II', 1, 0xe2088297) + struct.pack('<HHI', 0, 0, 40) * 2
             + bytes.fromhex('0a00614a0000000f'))
seed('ntlm_messages', 'windows-negotiate', negotiate)
for v in vectors('ms-nlmp-ntlmv2.json'):
    challenge = bytes.fromhex(v['challenge_message_hex'])
    authenticate = bytes.fromhex(v['authenticate_message_hex'])
    seed('ntlm_messages', 'ms-nlmp-challenge-' + v['name'], challenge)
    seed('ntlm_messages', 'ms-nlmp-authenticate-' + v['name'], authenticate)
    seed('ntlm_av_pairs', 'ms-nlmp-target-info-' + v['name'], bytes.fromhex(v['target_info_hex']))
    seed('ntlm_av_pairs', 'ms-nlmp-temp-' + v['name'], bytes.fromhex(v['temp_hex']))
    seed('ntlm_handler', 'negotiate-then-authenticate-' + v['name'], record(2, negotiate) + record(2, authenticate))
    seed('ntlm_handler', 'negotiate-under-negotiate-' + v['name'], record(1, negotiate) + record(1, authenticate))
    seed('ntlm_handler', 'authenticate-on-new-connection-' + v['name'],
         record(2, negotiate) + record(10, authenticate))
    seed('frontend_auth', 'ntlm-without-module-' + v['name'], b'\x00' + record(2, negotiate))
# ntlm_handler's minted AUTHENTICATE (tests/fuzz/ntlm_handler.cpp): alice, bob, a wrong password, under Negotiate.
for flags, name in ((0, 'alice'), (2, 'bob'), (1, 'wrong-password'), (0x10, 'alice-under-negotiate'),
                    (0x0c, 'alice-no-version-channel-bindings')):
    kind = 1 if flags & 0x10 else 2
    seed('ntlm_handler', 'minted-authenticate-' + name, record(kind, negotiate) + record(0x10, bytes([flags])))
seed('ntlm_handler', 'minted-authenticate-then-anonymous', record(2, negotiate) + record(0x10, b'\x00') + record(0, b''))

# kdc_request's minted TGS-REQs (tests/fuzz/kdc_request.cpp): KDC options forwardable|renewable|canonicalize.
tgs_options = (0x40810000).to_bytes(4, 'big')
for flags, spn in ((0, 'HTTP/pool.contoso.test'), (1, 'HOST/fe01.contoso.test'), (4, 'HTTP/fe02.contoso.test'),
                   (0, 'krbtgt/CONTOSO.TEST'), (0, 'cifs/nowhere.contoso.test'), (2, '')):
    seed('kdc_request', 'minted-tgs-req-%d-%s' % (flags, spn or 'renewal'), b'\x02' + tgs_options + bytes([flags]) + spn.encode())

# frontend_auth's minted tokens (tests/fuzz/frontend_auth.cpp): a good one for each ticket, with persistence,
# replayed, and with one octet of the AP-REQ flipped.
default_flags = bytes([0x3e])
for ticket in range(4):
    seed('frontend_auth', 'minted-ticket-%d' % ticket, b'\x00' + record(0x10, default_flags + bytes([ticket << 4, 0, 0, 0, 0])))
seed('frontend_auth', 'minted-persist-then-anonymous', b'\x01' + record(0x10, default_flags + bytes(5)) + record(0, b''))
seed('frontend_auth', 'minted-replayed', b'\x00' + record(0x10, default_flags + bytes(5)) + record(0x20, b''))
seed('frontend_auth', 'minted-bare-krb5-skewed', b'\x00' + record(0x10, bytes([0x3e, 0x05, 0xf0, 0, 0, 0])))
seed('frontend_auth', 'minted-flipped', b'\x00' + record(0x10, default_flags + bytes([0x02, 0, 0x01, 0x00, 0x40])))

# --- Netlogon wire (docs/netlogon-wire.md): one request and one reply built from the MS-NLMP values ----
v = vectors('ms-nlmp-ntlmv2.json')[0]
def utf8(tag, text):
    return der(tag, der(0x0c, text.encode()))
request = der(0x61, der(0x30, b''.join([
    der(0xa0, der_int(1)), der(0xa1, der_int(7)), utf8(0xa2, 'FE01$'), utf8(0xa3, v['user']),
    utf8(0xa4, v['user_domain']), utf8(0xa5, v['workstation']),
    der(0xa6, der(0x04, bytes.fromhex(v['server_challenge_hex']))),
    der(0xa7, der(0x04, bytes.fromhex(v['nt_challenge_response_hex']))),
    der(0xa8, der(0x04, bytes.fromhex(v['lmv2_response_hex'])))])))
reply = der(0x62, der(0x30, b''.join([
    der(0xa0, der_int(1)), der(0xa1, der_int(7)), der(0xa2, der_int(0)), utf8(0xa3, 'validated'),
    der(0xa4, der(0x04, bytes.fromhex(v['session_base_key_hex']))), utf8(0xa5, v['user']),
    utf8(0xa6, v['user_domain']), utf8(0xa7, v['user'] + '@' + v['user_domain'].lower()),
    der(0xa8, der(0x30, der(0x0c, b'Domain Users')))])))
failure = der(0x62, der(0x30, b''.join([
    der(0xa0, der_int(1)), der(0xa1, der_int(7)), der(0xa2, der_int(0xc000006a)),
    utf8(0xa3, 'ntlmv2_proof_mismatch')])))
seed('netlogon_wire', 'request', request)
seed('netlogon_wire', 'request-framed', len(request).to_bytes(4, 'big') + request)
seed('netlogon_wire', 'reply-success', reply)
seed('netlogon_wire', 'reply-wrong-password', failure)

# --- scenarios, realm, load balancer ----------------------------------------------------------------
for path in sorted(glob.glob('scenarios/builtin/*.json')):
    text = open(path, 'rb').read()
    name = os.path.basename(path)
    seed('scenario_loader', name, text)
    realm = json.loads(text).get('realm')
    if isinstance(realm, dict):
        seed('realm_file', 'scenario-' + name, json.dumps(realm, indent=1).encode())
seed('realm_file', 'contoso.realm.json', open('examples/contoso.realm.json', 'rb').read())
seed('lb_rules', 'proxy-fields',
     b'keep-alive, Upgrade, X-Custom\n10.0.0.1, 10.0.0.2\n192.0.2.7:49152\nGET\na=1; KPLB=fe02; b=2\nfe01=127.0.0.1:8001\n')
seed('lb_rules', 'ipv6-cookie-only', b'close\n\n[::1]:5000\nPOST\nKPLB=fe03\nround-robin\n')

# --- packet capture: the MIT capture's frames as they are (their KDC and HTTP ports are the target's lab), and
# as a workstation at 127.3.4.5 sends them.
def frames(path):
    data = open(path, 'rb').read()
    offset = 0
    while offset + 8 <= len(data):
        block_type, block_len = struct.unpack_from('<II', data, offset)
        if block_type == 6:
            caplen = struct.unpack_from('<I', data, offset + 20)[0]
            yield data[offset + 28:offset + 28 + caplen]
        offset += block_len

for i, frame in enumerate(frames(os.path.join(reference, 'captures', 'mit-kinit-kvno-curl.pcapng'))):
    if i % 3 == 0 or len(frame) < 300:
        seed('capture_frame', 'mit-frame-%d' % i, frame)
    if len(frame) > 34 and frame[26:30] == bytes([127, 0, 0, 1]) and i % 4 == 0:
        seed('capture_frame', 'mit-frame-%d-workstation' % i, frame[:26] + bytes([127, 3, 4, 5]) + frame[30:])

for target in sorted(counts):
    print('fuzz-seeds: %-16s %3d seeds' % (target, counts[target]))
PY
