# Keep-alive HTTP/1.1 peers that ignore FIN: Python's http.client makes one request on each of COUNT persistent
# connections, reads the answers, prints `answered <status> <connection header>` (the first one's), then sleeps
# without reading or closing the sockets, so a FIN from the server is never noticed and every connection stays
# half-open on its side. Bounded: it exits after SECONDS. Used by spec/net/realClients/idlePeer.spec.ts and
# bench/http-drain.mjs (idle-pool rows).
#   python3 idle-peer.py PORT [SECONDS=60] [COUNT=1]
import http.client
import sys
import time

port = int(sys.argv[1])
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1
connections = []
first = None
for _ in range(count):
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    connection.request('GET', '/idle-peer')
    response = connection.getresponse()
    response.read()
    connections.append(connection)
    if first is None:
        first = f'answered {response.status} {response.getheader("Connection") or "keep-alive"}'
print(first, flush=True)
time.sleep(seconds)
