# Runs one of Impacket's example scripts against a KDC on another port than 88: Impacket connects to port 88
# of -dc-ip, always. Usage: KERBPOOL_KDC_PORT=N python3 impacket_port.py SCRIPT.py ARGS...
import os
import runpy
import socket
import sys

_port = int(os.environ["KERBPOOL_KDC_PORT"])
_getaddrinfo = socket.getaddrinfo


def _to_kdc_port(host, port, *args, **kwargs):
    return _getaddrinfo(host, _port if port == 88 else port, *args, **kwargs)


socket.getaddrinfo = _to_kdc_port
script = sys.argv[1]
sys.argv = sys.argv[1:]
runpy.run_path(script, run_name="__main__")
