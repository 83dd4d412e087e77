#!/usr/bin/env python3
"""A fake carbon-intensity provider for carbon-cached's integration tests.

Serves the paths of Electricity Maps (v3), WattTime (v3), ENTSO-E (A75),
the UK Carbon Intensity API and the Carbon Aware SDK WebAPI in their real
shapes, with data generated around the current time.  Python 3 standard
library only.

Usage: server.py --port PORT --pidfile FILE [--hang-seconds N] [--verbose]

The scenario is chosen per request by a path prefix /scenario/NAME/... or
a query parameter scenario=NAME (default: normal):

  normal          real answers; credentials are checked as the APIs do
                  (auth-token header, HTTP basic at /login then a bearer
                  token, securityToken)
  401, 403, 500   that status with a short body
  429             429 with Retry-After: 1
  hang            accept, then never answer (until --hang-seconds)
  truncated       the normal body cut in half (Content-Length matches)
  malformed       a body that is not JSON (or not XML for ENTSO-E)
  nulls           some values null (ENTSO-E: a type with a gap)
  empty-forecast  forecasts empty (ENTSO-E: an Acknowledgement, no data)
  huge            a 20 MB body

Stop it with SIGTERM (its PID is in --pidfile, removed on exit).
"""

import argparse
import base64
import datetime as dt
import json
import math
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOUR = 3600
TOKEN_FILE_VALUE = "fake-token"  # what the tests put in TokenFile
WATTTIME_USER = "carbon"
WATTTIME_PASSWORD = "fake-password"
WATTTIME_TOKEN = "wt-token-1"
HUGE_BYTES = 20 * 1000 * 1000
STOP = threading.Event()
HANG_SECONDS = 300.0
VERBOSE = False


def intensity(t):
    """A smooth daily curve, gCO2eq/kWh."""
    return round(200.0 + 100.0 * math.sin(2 * math.pi * (t % 86400) / 86400), 1)


def iso(t, millis=False, seconds=True):
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    if millis:
        return d.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if seconds:
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    return d.strftime("%Y-%m-%dT%H:%MZ")


def parse_iso(s):
    s = s.strip().replace("Z", "+00:00")
    d = dt.datetime.fromisoformat(s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.timezone.utc)
    return int(d.timestamp())


def floor(t, step):
    return t - t % step


# ---- Electricity Maps -------------------------------------------------------


def emaps_point(t, zone, scenario, i, forecast=False):
    value = None if scenario == "nulls" and i % 3 == 1 else intensity(t)
    p = {"carbonIntensity": value, "datetime": iso(t, millis=True)}
    if not forecast:
        p.update({"zone": zone, "updatedAt": iso(t + 600, millis=True),
                  "createdAt": iso(t - 86400, millis=True),
                  "emissionFactorType": "lifecycle",
                  "isEstimated": i % 4 == 0,
                  "estimationMethod": "TIME_SLICER_AVERAGE" if i % 4 == 0
                  else None})
    return p


def emaps(kind, query, scenario, now):
    zone = query.get("zone", ["XX"])[0]
    eft = query.get("emissionFactorType", ["lifecycle"])[0]
    hour = floor(now, HOUR)
    if kind == "latest":
        p = emaps_point(hour, zone, "normal", 1)
        p["zone"] = zone
        p["emissionFactorType"] = eft
        return p
    if kind == "history":
        pts = [emaps_point(hour - (23 - i) * HOUR, zone, scenario, i)
               for i in range(24)]
        for p in pts:
            p["emissionFactorType"] = eft
        return {"zone": zone, "history": pts}
    if scenario == "empty-forecast":
        pts = []
    else:
        pts = [emaps_point(hour + i * HOUR, zone, scenario, i, True)
               for i in range(1, 25)]
    return {"zone": zone, "forecast": pts, "updatedAt": iso(hour, True)}


# ---- WattTime -----------------------------------------------------------------


def watttime(kind, query, scenario, now):
    signal_type = query.get("signal_type", ["co2_moer"])[0]
    step = 300
    if kind == "historical":
        start = parse_iso(query["start"][0])
        end = parse_iso(query["end"][0])
        times = range(floor(start, step) + step, floor(end, step) + 1, step)
    elif scenario == "empty-forecast":
        times = []
    else:
        hours = int(query.get("horizon_hours", ["24"])[0])
        base = floor(now, step) + step
        times = range(base, base + hours * HOUR, step)
    data = []
    for i, t in enumerate(times):
        lbs = None if scenario == "nulls" and i % 3 == 1 else \
            round(intensity(t) / 0.45359237, 1)
        data.append({"point_time": iso(t).replace("Z", "+00:00"),
                     "value": lbs})
    return {"data": data,
            "meta": {"region": query.get("region", ["X"])[0],
                     "signal_type": signal_type,
                     "units": "lbs_co2_per_mwh",
                     "data_point_period_seconds": step,
                     "generated_at": iso(now).replace("Z", "+00:00"),
                     "model": {"date": "2024-01-01"}, "warnings": []}}


# ---- ENTSO-E ---------------------------------------------------------------------

A75_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<GL_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-6:'
            'generationloaddocument:3:0">\n<mRID>fake</mRID>'
            '<revisionNumber>1</revisionNumber><type>A75</type>'
            '<process.processType>A16</process.processType>\n')
ACK = ('<?xml version="1.0" encoding="UTF-8"?>\n'
       '<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:'
       '451-1:acknowledgementdocument:7:0"><mRID>ack</mRID><Reason>'
       '<code>999</code><text>No matching data found for Data item '
       'ACTUAL_GENERATION_PER_PRODUCTION_TYPE [16.1.B&amp;C] (%s)</text>'
       '</Reason></Acknowledgement_MarketDocument>\n')


def entsoe_series(psr, start, end, res, mw, domain="inBiddingZone_Domain.mRID",
                  skip=()):
    points = "".join(
        "<Point><position>%d</position><quantity>%d</quantity></Point>"
        % (i + 1, mw(start + i * res))
        for i in range((end - start) // res) if i not in skip)
    return ('<TimeSeries><mRID>%s</mRID><businessType>A01</businessType>'
            '<objectAggregation>A08</objectAggregation>'
            '<%s codingScheme="A01">10YXX-FAKE-----0</%s>'
            '<quantity_Measure_Unit.name>MAW</quantity_Measure_Unit.name>'
            '<curveType>A01</curveType><MktPSRType><psrType>%s</psrType>'
            '</MktPSRType><Period><timeInterval><start>%s</start>'
            '<end>%s</end></timeInterval><resolution>PT%dM</resolution>%s'
            '</Period></TimeSeries>\n'
            % (psr, domain, domain, psr, iso(start, seconds=False),
               iso(end, seconds=False), res // 60, points))


def entsoe(query, scenario, now):
    def compact(s):
        return int(dt.datetime.strptime(s, "%Y%m%d%H%M").replace(
            tzinfo=dt.timezone.utc).timestamp())

    domain = query.get("in_Domain", ["?"])[0]
    if scenario == "empty-forecast":
        return ACK % domain
    start = compact(query["periodStart"][0])
    end = min(compact(query["periodEnd"][0]), floor(now, HOUR))
    if end <= start:
        return ACK % domain

    def solar(t):
        h = (t % 86400) / 3600
        return max(0, int(3000 * math.sin(math.pi * (h - 6) / 12)))

    skip = range(4, 8) if scenario == "nulls" else ()
    return (A75_HEAD
            + entsoe_series("B04", start, end, HOUR, lambda t: 5000)
            + entsoe_series("B14", start, end, HOUR, lambda t: 7000, skip=skip)
            + entsoe_series("B16", start, end, 900, solar)
            + entsoe_series("B19", start, end, 900,
                            lambda t: int(intensity(t) * 10))
            + entsoe_series("B10", start, end, HOUR, lambda t: 800,
                            domain="outBiddingZone_Domain.mRID")
            + "</GL_MarketDocument>\n")


# ---- UK Carbon Intensity ------------------------------------------------------------


def ukci_period(t, scenario, i, regional, past):
    value = intensity(t)
    inten = {"forecast": value, "index": "moderate"}
    if not regional:
        inten["actual"] = round(value - 3, 1) if past else None
        if scenario == "nulls" and i % 3 == 1:
            inten["actual"] = None
            inten["forecast"] = None
    elif scenario == "nulls" and i % 3 == 1:
        inten["forecast"] = None
    p = {"from": iso(t, seconds=False), "to": iso(t + 1800, seconds=False),
         "intensity": inten}
    if regional:
        p["generationmix"] = [{"fuel": "gas", "perc": 40.0},
                              {"fuel": "wind", "perc": 60.0}]
    return p


def ukci(parts, scenario, now):
    # intensity/{from}/pt24h | fw48h ; regional/intensity/{from}/fw48h/regionid/{id}
    regional = parts[0] == "regional"
    if regional:
        parts = parts[1:]
    start = floor(parse_iso(parts[1]), 1800)
    if parts[2] == "pt24h":
        times = [start - (48 - i) * 1800 for i in range(48)]
    elif scenario == "empty-forecast" and not regional:
        times = []
    else:
        times = [start + i * 1800 for i in range(96)]
    periods = [ukci_period(t, scenario, i, regional, t + 1800 <= now)
               for i, t in enumerate(times)]
    if not regional:
        return {"data": periods}
    rid = int(parts[4])
    return {"data": [{"regionid": rid, "dnoregion": "Fake DNO",
                      "shortname": "Fake region %d" % rid, "data": periods}]}


# ---- Carbon Aware SDK -------------------------------------------------------------------


def gsf(kind, query, scenario, now):
    location = query.get("location", ["eastus"])[0]
    step = 300
    if kind == "bylocation":
        start = parse_iso(query["time"][0])
        end = parse_iso(query["toTime"][0])
        out = []
        for i, t in enumerate(range(floor(start, step) + step, end, step)):
            rating = None if scenario == "nulls" and i % 3 == 1 \
                else intensity(t)
            out.append({"location": location,
                        "time": iso(t).replace("Z", "+00:00"),
                        "rating": rating, "duration": "00:05:00"})
        return out
    base = floor(now, step) + step
    data = [] if scenario == "empty-forecast" else [
        {"location": location, "timestamp": iso(t).replace("Z", "+00:00"),
         "duration": 5,
         "value": None if scenario == "nulls" and i % 3 == 1
         else intensity(t)}
        for i, t in enumerate(range(base, base + 24 * HOUR, step))]
    return [{"generatedAt": iso(now), "requestedAt": iso(now),
             "location": location, "dataStartAt": iso(base),
             "dataEndAt": iso(base + 24 * HOUR), "windowSize": 5,
             "optimalDataPoints": data[:1], "forecastData": data}]


# ---- HTTP ---------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-provider/1"

    def log_message(self, fmt, *args):
        if VERBOSE:
            sys.stderr.write("fake-provider: " + (fmt % args) + "\n")

    def send(self, status, body, ctype="application/json", extra=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send_huge(self, ctype):
        chunk = (b" " * 1023) + b"\n"
        head = b"<!--" if ctype.endswith("xml") else b"["
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        try:
            self.wfile.write(head)
            sent = len(head)
            while sent + len(chunk) <= HUGE_BYTES and not STOP.is_set():
                self.wfile.write(chunk)
                sent += len(chunk)
            self.wfile.write(b" " * (HUGE_BYTES - sent))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def route(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        scenario = query.get("scenario", ["normal"])[0]
        if len(parts) >= 2 and parts[0] == "scenario":
            scenario, parts = parts[1], parts[2:]
        return scenario, parts, query

    def authorised(self, parts, query):
        auth = self.headers.get("Authorization", "")
        if parts[:2] == ["v3", "carbon-intensity"]:
            return self.headers.get("auth-token") == TOKEN_FILE_VALUE
        if parts == ["login"]:
            want = base64.b64encode(("%s:%s" % (
                WATTTIME_USER, WATTTIME_PASSWORD)).encode()).decode()
            return auth == "Basic " + want
        if parts[:1] == ["v3"]:
            return auth == "Bearer " + WATTTIME_TOKEN
        if parts == ["api"]:
            return query.get("securityToken", [""])[0] == TOKEN_FILE_VALUE
        return True

    def answer(self, parts, query, scenario, now):
        """(body, content type) of the normal answer, or None."""
        if parts[:2] == ["v3", "carbon-intensity"] and len(parts) == 3 and \
                parts[2] in ("history", "latest", "forecast"):
            return json.dumps(emaps(parts[2], query, scenario, now)), "json"
        if parts == ["login"]:
            return json.dumps({"token": WATTTIME_TOKEN}), "json"
        if parts[:1] == ["v3"] and len(parts) == 2 and \
                parts[1] in ("historical", "forecast"):
            return json.dumps(watttime(parts[1], query, scenario, now)), \
                "json"
        if parts == ["api"]:
            return entsoe(query, scenario, now), "xml"
        if (len(parts) == 3 and parts[0] == "intensity"
                and parts[2] in ("pt24h", "fw48h")) or (
                len(parts) == 6 and parts[:2] == ["regional", "intensity"]
                and parts[3:5] == ["fw48h", "regionid"]):
            return json.dumps(ukci(parts, scenario, now)), "json"
        if parts[:1] == ["emissions"] and (
                parts[1:] == ["bylocation"]
                or parts[1:] == ["forecasts", "current"]):
            return json.dumps(gsf(parts[-1], query, scenario, now)), "json"
        return None

    def do_GET(self):
        scenario, parts, query = self.route()
        now = int(time.time())
        if parts == ["healthz"]:
            return self.send(200, "ok\n", "text/plain")
        if scenario in ("401", "403", "500"):
            return self.send(int(scenario),
                             json.dumps({"error": "fake %s" % scenario}))
        if scenario == "429":
            return self.send(429, json.dumps({"error": "quota"}),
                             extra={"Retry-After": "1"})
        if scenario == "hang":
            deadline = time.monotonic() + HANG_SECONDS
            while not STOP.is_set() and time.monotonic() < deadline:
                time.sleep(0.1)
            return None
        if not self.authorised(parts, query):
            return self.send(401, json.dumps({"error": "unauthorised"}))
        try:
            found = self.answer(parts, query, scenario, now)
        except (KeyError, ValueError, IndexError) as e:
            return self.send(400, json.dumps({"error": "bad request: %s" % e}))
        if found is None:
            return self.send(404, json.dumps({"error": "no such path"}))
        body, kind = found
        ctype = "application/xml" if kind == "xml" else "application/json"
        if scenario == "huge":
            return self.send_huge(ctype)
        if scenario == "truncated":
            body = body[:len(body) // 2]
        elif scenario == "malformed":
            body = ("<GL_MarketDocument><TimeSeries></Period>"
                    "</GL_MarketDocument>" if kind == "xml"
                    else '{"data": [1, 2,, oops')
        return self.send(200, body, ctype)


def main():
    global HANG_SECONDS, VERBOSE
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--hang-seconds", type=float, default=300.0)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    HANG_SECONDS = args.hang_seconds
    VERBOSE = args.verbose

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True

    def stop(signum, frame):
        STOP.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = args.pidfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % os.getpid())
    os.replace(tmp, args.pidfile)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        try:
            os.unlink(args.pidfile)
        except OSError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
