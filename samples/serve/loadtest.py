#!/usr/bin/env python3
"""Load test for `classify serve`: POST /predict with image files from loopback clients.

    python3 loadtest.py http://127.0.0.1:8080 IMAGE_DIR --clients 16 --requests 400
    python3 loadtest.py http://127.0.0.1:8080 IMAGE_DIR --clients 1 --requests 100   # single-image latency

Prints requests, images/s, latency p50/p90/p99 (ms) and the status codes seen. Standard library only.
"""
import argparse
import http.client
import os
import sys
import threading
import time
import urllib.parse


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("images", help="folder searched recursively for .png/.jpg files")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=400, help="total requests over all clients")
    parser.add_argument("--warmup", type=int, default=5, help="requests sent first and not counted")
    args = parser.parse_args()

    files = sorted(os.path.join(root, name) for root, _, names in os.walk(args.images)
                   for name in names if name.lower().endswith((".png", ".jpg", ".jpeg")))
    if not files:
        sys.exit(f"no images under {args.images}")
    bodies = [open(path, "rb").read() for path in files]
    address = urllib.parse.urlsplit(args.url)

    def post(connection, i):
        connection.request("POST", "/predict", body=bodies[i % len(bodies)])
        response = connection.getresponse()
        response.read()
        return response.status

    warm = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
    for i in range(args.warmup):
        post(warm, i)
    warm.close()

    latencies, statuses, lock = [], {}, threading.Lock()
    counter = iter(range(args.requests))

    def client():
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=120)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            started = time.perf_counter()
            status = post(connection, i)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started

    latencies.sort()
    def percentile(p):
        return 1000 * latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]
    print(f"clients {args.clients}  requests {len(latencies)}  {len(latencies) / wall:.1f} images/s  "
          f"p50 {percentile(50):.1f} ms  p90 {percentile(90):.1f} ms  p99 {percentile(99):.1f} ms  "
          f"status {dict(sorted(statuses.items()))}  wall {wall:.1f} s")


if __name__ == "__main__":
    main()
