#!/usr/bin/env python3
"""Write a signed carbon record for one zone into the test federation's Redis.

Usage: put_record.py ZONE --spec=SPEC [--stale] [--fallback] [--age SECONDS]
                     [--key-id ID] [--forge] [--abs]
SPEC is OFFSET:VALUE[,OFFSET:VALUE...] with OFFSET in seconds from now
(rounded down to the minute), e.g. "-3600:200,0:200,180:20,7200:20", or
with --abs in seconds since the epoch.
Points at or after now are marked as forecast.  --stale and --fallback set
the record's flags as carbon-cached sets them (last good data re-written; a
later provider of the chain answered).  --age makes the provider's answer
that many seconds old (fetched_at = now - SECONDS; generated_at is now).
--forge signs with a random key (a reader must reject it).  Reads the Redis
port, the Redis user that may write (CARBON_REDIS_USER, the federation's
carbon-test; unset: the default user), its password file and the HMAC key
file from the CARBON_* variables that `federation.sh env` prints.  Prints the record's Redis key and its
fetched_at (seconds since the epoch), which the plugins log when they load
it ("zone Z: new data fetched at T").
"""
import argparse, hashlib, hmac, os, secrets, subprocess, sys, time

def fmt(t):
    return time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t))

def num(v):
    return ('%.3f' % v).rstrip('0').rstrip('.')

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('zone')
    ap.add_argument('--spec', required=True)
    ap.add_argument('--stale', action='store_true')
    ap.add_argument('--fallback', action='store_true')
    ap.add_argument('--age', type=int, default=0,
                    help='seconds between fetched_at and now (>= 0)')
    ap.add_argument('--forge', action='store_true')
    ap.add_argument('--key-id', default='k1')
    ap.add_argument('--abs', action='store_true',
                    help='SPEC times are seconds since the epoch')
    a = ap.parse_args()
    now = int(time.time()) // 60 * 60
    base = 0 if a.abs else now
    pts = sorted((base + int(o), float(v))
                 for o, v in (p.split(':') for p in a.spec.split(',')))
    if a.age < 0:
        sys.exit('--age must be >= 0')
    gen = int(time.time())
    ts = gen - a.age
    lines = ['carbon-record v1', 'zone=' + a.zone, 'signal=average',
             'basis=lifecycle', 'source=test', 'fetched_at=' + fmt(ts),
             'generated_at=' + fmt(gen), 'stale=%d' % a.stale,
             'age=%d' % a.age, 'fallback=%d' % a.fallback, 'derived=0',
             'key=' + a.key_id,
             'points=%d' % len(pts)]
    lines += ['%s %s %s' % (fmt(t), num(v), 'f' if t >= now else '-')
              for t, v in pts]
    body = '\n'.join(lines) + '\n'
    if a.forge:
        key = secrets.token_bytes(32)
    else:
        with open(os.environ['CARBON_HMAC_KEY_FILE'], 'rb') as f:
            key = f.read().rstrip(b'\n')
    record = body + 'sig=' + hmac.new(key, body.encode(),
                                      hashlib.sha256).hexdigest() + '\n'
    with open(os.environ['CARBON_REDIS_PASSWORD_FILE']) as f:
        env = dict(os.environ, REDISCLI_AUTH=f.read().strip())
    rkey = 'carbon:zone:' + a.zone
    user = os.environ.get('CARBON_REDIS_USER')
    out = subprocess.run(['redis-cli', '-p', os.environ['CARBON_REDIS_PORT']]
                         + (['--user', user] if user else [])
                         + ['-x', 'SET', rkey], input=record.encode(),
                         env=env, capture_output=True, check=True)
    if out.stdout.strip() != b'OK':
        sys.exit('redis-cli: ' + out.stdout.decode() + out.stderr.decode())
    print(rkey, ts)

if __name__ == '__main__':
    main()
