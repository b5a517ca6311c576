"""A TCP proxy in front of a PostgreSQL server that loses one answer on purpose.

Usage: CuttingProxy.py LISTEN_PORT SERVER_PORT PATTERN ARM_FILE

Every connection is relayed both ways. Once ARM_FILE exists, the first chunk a client sends that
holds a statement whose text ends with PATTERN (for example COMMIT: the protocol ends each text
with a NUL, so BEGIN ... READ COMMITTED does not match) is passed on to the server, and then both sides of that
connection are closed before the server's answer can come back: the client sees its connection
drop after the statement went out, as when a network fails or a server dies at that moment.
ARM_FILE is removed when the cut is made, so it happens once per arming; a statement text written
into ARM_FILE takes the place of PATTERN for that arming.
"""
import os
import socket
import sys
import threading
import time

listen_port, server_port, pattern, arm_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode() + b"\x00", sys.argv[4]
lock = threading.Lock()


def close(*sockets):
    for s in sockets:
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()


def armed_pattern():
    with lock:
        if not os.path.exists(arm_file):
            return None
        with open(arm_file, "rb") as f:
            text = f.read().strip()
        return text + b"\x00" if text else pattern


def take_arm():
    with lock:
        if os.path.exists(arm_file):
            os.remove(arm_file)
            return True
        return False


def pump(source, sink, from_client, cut):
    try:
        while True:
            data = source.recv(65536)
            if not data or cut.is_set():
                break
            wanted = armed_pattern() if from_client else None
            if wanted and wanted in data and take_arm():
                cut.set()  # from now on nothing the server says reaches the client
                sink.sendall(data)
                time.sleep(0.3)  # let the server act on it
                break
            sink.sendall(data)
    except OSError:
        pass
    close(source, sink)


def main():
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", listen_port))
    listener.listen(64)
    print("listening", flush=True)
    while True:
        client, _ = listener.accept()
        try:
            server = socket.create_connection(("127.0.0.1", server_port))
        except OSError:
            client.close()
            continue
        cut = threading.Event()
        threading.Thread(target=pump, args=(client, server, True, cut), daemon=True).start()
        threading.Thread(target=pump, args=(server, client, False, cut), daemon=True).start()


main()
