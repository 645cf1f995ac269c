"""Sample random vitc/timm configs per family (fixed seed). Writes configs.json."""
import json
import random
import sys

SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 20240917
N = int(sys.argv[2]) if len(sys.argv) > 2 else 40
R = random.Random(SEED)


def ch(*xs):
    return R.choice(xs)


def img_pair(mult, lo, hi):
    """An image size (int or [h, w]) whose sides are multiples of mult in [lo, hi]."""
    def side():
        k = R.randint(max(1, lo // mult), max(1, hi // mult))
        return k * mult
    if R.random() < 0.45:
        h, w = side(), side()
        if h == w:
            w = h + mult
        return [h, w]
    return side()


def heads_dim():
    heads = ch(1, 2, 3, 4, 5, 6)
    hd = ch(3, 5, 7, 8, 11, 16)
    return heads, heads * hd


def vit_like(family):
    kw = {}
    p = ch(2, 4, 8, 16, [4, 8], [8, 4], 7)
    ph, pw = (p, p) if isinstance(p, int) else p
    m = max(ph, pw)
    if R.random() < 0.45:
        hm, wm = R.randint(1, 8), R.randint(1, 8)
        if hm == wm:
            wm += 1
        kw['img_size'] = [ph * hm, pw * wm]
    else:
        n = R.randint(1, 8)
        if ph == pw:
            kw['img_size'] = ph * n
        else:
            kw['img_size'] = ph * pw * n // __import__('math').gcd(ph, pw)
    kw['patch_size'] = p
    if R.random() < 0.4:
        kw['in_chans'] = ch(1, 4, 2)
    if R.random() < 0.6:
        kw['num_classes'] = ch(0, 1, 7, 10, 1000)
    if family == 'vit':
        mode = ch('token', 'avg_cls', 'avg_nocls', 'avg_nocls', 'token')
        if mode == 'avg_cls':
            kw['global_pool'] = 'avg'
        elif mode == 'avg_nocls':
            kw['global_pool'] = 'avg'
            kw['class_token'] = False
        elif R.random() < 0.3:
            kw['global_pool'] = 'token'
            kw['class_token'] = True
    heads, dim = heads_dim()
    kw['embed_dim'] = dim
    kw['depth'] = ch(0, 1, 1, 2, 2, 3)
    kw['num_heads'] = heads
    if R.random() < 0.6:
        kw['mlp_ratio'] = ch(1.0, 2.5, 3.0, 4.0, 1.7, 0.5, 2.2)
    if R.random() < 0.4:
        kw['qkv_bias'] = ch(False, True)
    return dict(family=family, kw=kw)


def hybrid():
    kw = {}
    nst = ch(0, 1, 1, 2, 2, 3, 3, 4)
    layers = [R.randint(1, 3) for _ in range(nst)]
    red = 4 * 2 ** max(0, nst - 1)
    patch = ch(1, 1, 1, 2, [1, 2])
    ph, pw = (patch, patch) if isinstance(patch, int) else patch
    # feature map side = ceil(img / red); choose img so feature divisible by patch; sometimes not a
    # multiple of red (SAME padding rounds up)
    def side(pp):
        f = pp * R.randint(1, max(1, 6 // pp))
        img = f * red
        if R.random() < 0.35:
            img -= R.randint(1, red - 1) if red > 1 else 0
        return max(img, 1)
    if R.random() < 0.45:
        kw['img_size'] = [side(ph), side(pw)]
    else:
        kw['img_size'] = side(max(ph, pw))
    if patch != 1:
        kw['patch_size'] = patch
    if R.random() < 0.3:
        kw['in_chans'] = ch(1, 4)
    if R.random() < 0.5:
        kw['num_classes'] = ch(0, 5, 1000)
    mode = ch('token', 'avg_cls', 'avg_nocls', 'token')
    if mode == 'avg_cls':
        kw['global_pool'] = 'avg'
    elif mode == 'avg_nocls':
        kw['global_pool'] = 'avg'
        kw['class_token'] = False
    heads, dim = heads_dim()
    kw['embed_dim'] = dim
    kw['depth'] = ch(1, 1, 2)
    kw['num_heads'] = heads
    if R.random() < 0.4:
        kw['mlp_ratio'] = ch(2.5, 3.0, 1.0)
    if R.random() < 0.3:
        kw['qkv_bias'] = False
    kw['backbone_layers'] = layers
    if nst and R.random() < 0.6:
        kw['backbone_channels'] = [ch(128, 256, 384, 512, 128, 256) for _ in range(nst)]
    if R.random() < 0.5:
        kw['stem_chs'] = ch(32, 64, 96, 128)
    return dict(family='vit_hybrid', kw=kw)


def swin():
    kw = {}
    nst = ch(1, 2, 2, 3, 3, 4)
    patch = ch(2, 4, 4, [2, 4])
    ph, pw = (patch, patch) if isinstance(patch, int) else patch
    win = ch(4, 5, 6, 7, 8, 9, 10, 12, [4, 6], [6, 4])
    wh, ww = (win, win) if isinstance(win, int) else win
    # choose final-stage grid multipliers so every stage's grid is tiled by the window (or <= window)
    last = 2 ** (nst - 1)

    def side(pp, w):
        mode = R.random()
        if mode < 0.35:
            # grid smaller than window at some stage
            g = last * R.randint(1, 3)
        else:
            # grid a multiple of window at stage 0 and halvable: choose g = lcm-ish
            g = w * last * R.randint(1, 2) if w * last <= 64 else last * R.randint(1, 4)
        return g * pp
    if R.random() < 0.45:
        kw['img_size'] = [side(ph, wh), side(pw, ww)]
    else:
        kw['img_size'] = side(max(ph, pw), max(wh, ww))
    kw['patch_size'] = patch
    kw['window_size'] = win
    if R.random() < 0.3:
        kw['in_chans'] = ch(1, 4)
    if R.random() < 0.5:
        kw['num_classes'] = ch(0, 3, 1000)
    h0 = ch(1, 2, 3)
    hd = ch(4, 5, 8, 6)
    kw['embed_dim'] = h0 * hd
    kw['depths'] = [R.randint(1, 3) for _ in range(nst)]
    kw['num_heads'] = [h0 * 2 ** i if R.random() < 0.7 else h0 for i in range(nst)]
    if R.random() < 0.5:
        kw['mlp_ratio'] = ch(2.0, 2.5, 3.0, 1.5)
    if R.random() < 0.3:
        kw['qkv_bias'] = False
    return dict(family='swin', kw=kw)


def mobilevit():
    kw = {}
    n = ch(3, 4, 5, 5, 5, 6)
    strides = [1] + [2] * (n - 1)
    if R.random() < 0.3:
        strides = [ch(1, 2) for _ in range(n)]
    depths = [R.randint(1, 3) for _ in range(n)]
    channels = [ch(16, 24, 20, 32, 36, 48, 64, 80, 96, 100) for _ in range(n)]
    tdims, tdepths = [], []
    heads = ch(1, 2, 4, [1, 2, 4, 2, 4, 2][:n])
    nh = heads if isinstance(heads, list) else [heads] * n
    for i in range(n):
        if i >= 2 and R.random() < 0.75:
            tdims.append(nh[i] * ch(8, 12, 16, 20, 24))
            tdepths.append(R.randint(0, 3))
        else:
            tdims.append(0)
            tdepths.append(0)
    patch = ch(2, 2, 4, [2] * n, [ch(2, 4) for _ in range(n)])
    ps = patch if isinstance(patch, list) else [patch] * n
    # image: multiple of max over transformer stages of reduction*patch
    need = 1
    for i in range(n):
        if tdims[i]:
            red = 2
            for s in strides[:i + 1]:
                red *= s
            k = red * ps[i]
            import math
            need = need * k // math.gcd(need, k)
    red_all = 2
    for s in strides:
        red_all *= s
    base = max(need, 1)
    def side():
        return base * R.randint(1, max(1, 256 // base))
    if R.random() < 0.4:
        a, b = side(), side()
        if a == b:
            b += base
        kw['img_size'] = [a, b]
    else:
        kw['img_size'] = side()
    if R.random() < 0.3:
        kw['in_chans'] = ch(1, 4)
    if R.random() < 0.5:
        kw['num_classes'] = ch(0, 10, 1000)
    kw['stem_chs'] = ch(8, 16, 16, 24, 12)
    kw['depths'] = depths
    kw['channels'] = channels
    if strides != [1] + [2] * (n - 1):
        kw['strides'] = strides
    kw['expansion'] = ch(2.0, 4.0, 3.0, 2.5, [ch(2.0, 4.0, 1.5) for _ in range(n)])
    kw['transformer_dims'] = tdims
    kw['transformer_depths'] = tdepths
    kw['patch_size'] = patch
    kw['num_heads'] = heads
    if R.random() < 0.4:
        kw['mlp_ratio'] = ch(2.0, 3.0, 1.5, 4.0)
    if R.random() < 0.8:
        kw['num_features'] = ch(0, 4 * channels[-1], 320, 100)
    return dict(family='mobilevit', kw=kw)


def main():
    cfgs = []
    for fam, fn in (('vit', lambda: vit_like('vit')), ('deit_distilled', lambda: vit_like('deit_distilled')),
                    ('vit_hybrid', hybrid), ('swin', swin), ('mobilevit', mobilevit)):
        for i in range(N):
            c = fn()
            c['name'] = f'{fam}_{i:03d}'
            cfgs.append(c)
    json.dump(cfgs, open('configs.json', 'w'), indent=0)
    print(len(cfgs), 'configs')


if __name__ == '__main__':
    main()
