"""Validate the MAC/param counter against test/fixtures/model-table.json."""
import json, os, sys
from common import timm, count
d = json.load(open(os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'model-table.json')))
bad = 0
for m in d['models']:
    model = timm.create_model(m['name'], pretrained=False, **m.get('create_kwargs', {}))
    r = count(model, tuple(m['input_size']))
    ok = r['params'] == m['params'] and r['macs'] == m['macs'] and r['output'] == m['forward_shape']
    bad += not ok
    print(('OK ' if ok else 'BAD'), m['name'], m.get('create_kwargs'), r['params'], m['params'], r['macs']['total'], m['macs']['total'], r['output'], m['forward_shape'], flush=True)
    if not ok: print('   mine', r['macs'], '\n   ref ', m['macs'])
print('mismatches', bad)
