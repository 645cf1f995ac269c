"""Differential test: timm 0.9.16 vs vitc summary on configs.json + corners.

usage: PYTHONPATH=/tmp/timm0916 /tmp/pvenv/bin/python run_diff.py [configs.json] [outdir]
Writes OUT/results.json and OUT/report.txt and per-family .vit files under OUT/vit/.
"""
import json
import os
import sys
import time
import traceback
from collections import defaultdict

from common import build_timm, count, vit_line, run_vitc, USE
import corners

cfg_path = sys.argv[1] if len(sys.argv) > 1 else 'configs.json'
OUT = sys.argv[2] if len(sys.argv) > 2 else 'out'
os.makedirs(os.path.join(OUT, 'vit'), exist_ok=True)

cfgs = json.load(open(cfg_path)) + corners.C
by_name = {c['name']: c for c in cfgs}

# ---------------- timm side ----------------
t0 = time.time()
timm_res = {}
for c in cfgs:
    try:
        model, shape = build_timm(c)
        r = count(model, shape)
        groups = defaultdict(int)
        for k, p in model.named_parameters():
            mod, _, leaf = k.rpartition('.')
            key = mod if leaf in ('weight', 'bias', 'relative_position_bias_table') else k
            groups[key] += p.numel()
        r['groups'] = dict(groups)
        timm_res[c['name']] = dict(ok=True, **r)
    except Exception as e:  # noqa
        tb = traceback.format_exc().strip().splitlines()
        timm_res[c['name']] = dict(ok=False, error=f'{type(e).__name__}: {e}'[:300], where=tb[-3:] if len(tb) > 3 else tb)
print(f'timm done in {time.time() - t0:.1f}s', flush=True)

# ---------------- vitc side ----------------
families = defaultdict(list)
for c in cfgs:
    families[c['family']].append(c)

vitc_res = {}
for fam, cs in families.items():
    path = os.path.join(OUT, 'vit', f'{fam}.vit')
    lines = [f'use {USE[fam]}', '']
    line_of = {}
    for c in cs:
        line_of[len(lines)] = c['name']
        lines.append(vit_line(c['name'], c))
    open(path, 'w').write('\n'.join(lines) + '\n')
    rc, out, err = run_vitc(['check', path, '--format', 'json'])
    try:
        diags = json.loads(out)
    except Exception:
        print(f'CHECK output not JSON for {fam}: rc={rc}\n{out[:2000]}\n{err[:2000]}')
        diags = []
    errs = defaultdict(list)
    for d in diags:
        ln = d['range']['start']['line']
        nm = line_of.get(ln)
        if nm is None:
            # diagnostic not on a model line: try to attribute later
            nm = f'?line{ln}'
        errs[nm].append(d)
    if err.strip():
        print(f'check stderr for {fam}: {err[:2000]}')
    # summary on models without errors, one file each so one failure does not hide others
    ok_names = [c['name'] for c in cs if not any(d['severity'] == 'error' for d in errs.get(c['name'], []))]
    spath = os.path.join(OUT, 'vit', f'{fam}_ok.vit')
    open(spath, 'w').write('\n'.join([f'use {USE[fam]}', ''] + [vit_line(n, by_name[n]) for n in ok_names]) + '\n')
    rc2, out2, err2 = run_vitc(['summary', spath, '--json'])
    summ = {}
    if rc2 == 0:
        for m in json.loads(out2)['models']:
            summ[m['name']] = m
    else:
        print(f'summary of batch {fam} failed rc={rc2}: {err2[:500]}; running one by one', flush=True)
        for n in ok_names:
            p1 = os.path.join(OUT, 'vit', f'single_{n}.vit')
            open(p1, 'w').write(f'use {USE[fam]}\n\n{vit_line(n, by_name[n])}\n')
            r3, o3, e3 = run_vitc(['summary', p1, '--json'])
            if r3 == 0:
                summ[n] = json.loads(o3)['models'][0]
            else:
                summ[n] = dict(summary_failed=True, rc=r3, stderr=e3[-3000:], stdout=o3[-2000:])
    for c in cs:
        n = c['name']
        e = errs.get(n, [])
        vitc_res[n] = dict(
            diags=[dict(code=d['code'], severity=d['severity'], message=d['message']) for d in e],
            summary=summ.get(n),
        )
    for k, v in errs.items():
        if k.startswith('?'):
            print(f'{fam}: diagnostics on non-model line {k}: {v}')
    if err2.strip() and rc2 == 0:
        print(f'summary stderr for {fam}: {err2[:1000]}')

# ---------------- compare ----------------
report = []
stats = defaultdict(lambda: defaultdict(int))
results = []
for c in cfgs:
    n = c['name']
    t, v = timm_res[n], vitc_res[n]
    fam = c['family']
    line = vit_line(n, c)
    verrs = [d for d in v['diags'] if d['severity'] == 'error']
    internal = [d for d in v['diags'] if d['code'] in ('V9001',) or 'internal' in d['message'].lower()]
    entry = dict(name=n, family=fam, line=line, timm=t, vitc=v)
    status = None
    if internal:
        status = 'VITC_INTERNAL_ERROR'
    elif not t['ok'] and not verrs:
        status = 'VITC_ACCEPTS_TIMM_REJECTS'
    elif not t['ok'] and verrs:
        status = 'both_reject'
    elif t['ok'] and verrs:
        status = 'VITC_REJECTS_TIMM_ACCEPTS'
    else:
        s = v['summary']
        if s is None or s.get('summary_failed'):
            status = 'VITC_SUMMARY_FAILED'
        else:
            vout = [1 if x == 'B' else x for x in s['output']]
            diffs = []
            if s['params'] != t['params']:
                diffs.append(f"params timm {t['params']} vitc {s['params']} (diff {s['params'] - t['params']})")
            if s['macs'] != t['macs']['total']:
                diffs.append(f"macs timm {t['macs']['total']} vitc {s['macs']} (diff {s['macs'] - t['macs']['total']}); "
                             f"timm by kind {t['macs']} vitc by kind {s.get('macs_by_kind')}")
            if vout != t['output']:
                diffs.append(f"output timm {t['output']} vitc {s['output']}")
            # names
            vg = defaultdict(int)
            for l in s['layers']:
                if l['params']:
                    vg[l['path']] += l['params']
            tg = t['groups']
            name_diffs = []
            for k in sorted(set(vg) | set(tg)):
                if vg.get(k) != tg.get(k):
                    name_diffs.append(f'{k}: timm {tg.get(k)} vitc {vg.get(k)}')
            if name_diffs:
                diffs.append('param-name/grouping diffs: ' + '; '.join(name_diffs[:12]) + (f' ... ({len(name_diffs)} total)' if len(name_diffs) > 12 else ''))
            status = 'MISMATCH' if diffs else 'match'
            entry['diffs'] = diffs
    entry['status'] = status
    stats[fam][status] += 1
    results.append(entry)

json.dump(results, open(os.path.join(OUT, 'results.json'), 'w'), indent=1, default=str)
with open(os.path.join(OUT, 'report.txt'), 'w') as fh:
    for fam in stats:
        fh.write(f'{fam}: {dict(stats[fam])}\n')
    for e in results:
        if e['status'] in ('match', 'both_reject'):
            continue
        fh.write(f"\n[{e['status']}] {e['line']}\n")
        if e['status'] in ('VITC_REJECTS_TIMM_ACCEPTS', 'VITC_INTERNAL_ERROR'):
            for d in e['vitc']['diags']:
                fh.write(f"   vitc {d['severity']} {d['code']}: {d['message']}\n")
            if e['timm']['ok']:
                fh.write(f"   timm params {e['timm']['params']} macs {e['timm']['macs']['total']} out {e['timm']['output']}\n")
        if e['status'] == 'VITC_ACCEPTS_TIMM_REJECTS':
            fh.write(f"   timm: {e['timm']['error']}\n   at {e['timm'].get('where')}\n")
            s = e['vitc']['summary']
            if s and not s.get('summary_failed'):
                fh.write(f"   vitc params {s['params']} macs {s['macs']} out {s['output']}\n")
        if e['status'] == 'VITC_SUMMARY_FAILED':
            fh.write(f"   {json.dumps(e['vitc']['summary'])[:3000]}\n")
        for d in e.get('diffs', []):
            fh.write(f'   {d}\n')
    fh.write('\n--- both reject (timm error | vitc codes) ---\n')
    for e in results:
        if e['status'] == 'both_reject':
            fh.write(f"{e['line']}\n   timm: {e['timm']['error'][:200]}\n   vitc: {[(d['code'], d['message'][:150]) for d in e['vitc']['diags'] if d['severity']=='error']}\n")
print(open(os.path.join(OUT, 'report.txt')).read())
