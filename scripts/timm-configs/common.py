"""Shared helpers for differential testing of vitc against timm 0.9.16.

- import timm (with the torchvision placeholder workaround)
- count params / MACs (Linear, Conv2d w/ groups, two attention matmuls) with forward hooks
- build timm models from a (family, kwargs) config
- render a config as a vitc one-line model
"""
import glob
import importlib.util
import json
import os
import subprocess
import sys
from functools import partial

import torch
import torch.nn as nn

_TV_LIB = None


def _prepare_torchvision():
    global _TV_LIB
    spec = importlib.util.find_spec('torchvision')
    if spec is None:
        return
    libs = glob.glob(os.path.join(os.path.dirname(spec.origin), '_C*.so'))
    if libs:
        try:
            torch.ops.load_library(libs[0])
            return
        except (OSError, RuntimeError):
            pass
    lib = torch.library.Library('torchvision', 'DEF')
    lib.define('nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    lib.define('qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    _TV_LIB = lib


_prepare_torchvision()
import timm  # noqa: E402
assert timm.__version__ == '0.9.16', timm.__version__
from timm.models.vision_transformer import Attention as VitAttention  # noqa: E402
from timm.models.swin_transformer import WindowAttention  # noqa: E402

torch.set_num_threads(2)


def count(model, input_shape):
    """Return dict(params, macs{linear,conv,attn_matmul,total}, output shape) for batch 1."""
    model.eval()
    macs = dict(linear=0, conv=0, attn_matmul=0)
    hooks = []

    def lin(m, inp, out):
        macs['linear'] += out.numel() * m.in_features

    def conv(m, inp, out):
        kh, kw = m.kernel_size
        macs['conv'] += out.numel() * (m.in_channels // m.groups) * kh * kw

    def attn(m, inp, out):
        x = inp[0]
        b, n, _ = x.shape
        heads = m.num_heads
        head_dim = m.qkv.out_features // 3 // heads
        macs['attn_matmul'] += 2 * b * heads * n * n * head_dim

    for mod in model.modules():
        if isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(lin))
        elif isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv))
        elif isinstance(mod, (VitAttention, WindowAttention)):
            hooks.append(mod.register_forward_hook(attn))
        elif type(mod).__name__ in ('Attention', 'WindowAttention', 'LinearSelfAttention'):
            raise RuntimeError(f'unhandled attention class {type(mod)}')
    with torch.no_grad():
        out = model(torch.zeros(1, *input_shape))
    for h in hooks:
        h.remove()
    macs['total'] = macs['linear'] + macs['conv'] + macs['attn_matmul']
    params = sum(p.numel() for p in model.parameters())
    return dict(params=params, macs=macs, output=list(out.shape))


def param_groups(model):
    """{name: numel} for every parameter (state_dict-style names)."""
    return {k: v.numel() for k, v in model.named_parameters()}


# ---------------------------------------------------------------------------------------------
# timm builders. A config is dict(family=..., kw={...}) with vitc's keyword names.
# ---------------------------------------------------------------------------------------------

def _pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


VIT_KEYS = ('img_size', 'patch_size', 'in_chans', 'num_classes', 'global_pool', 'embed_dim', 'depth',
            'num_heads', 'mlp_ratio', 'qkv_bias', 'class_token')


def build_timm(cfg):
    fam, kw = cfg['family'], dict(cfg['kw'])
    torch.manual_seed(0)
    if fam == 'vit':
        from timm.models.vision_transformer import VisionTransformer
        k = {key: (tuple(v) if isinstance(v, list) else v) for key, v in kw.items()}
        model = VisionTransformer(**k)
        img = _pair(kw.get('img_size', 224))
        return model, (kw.get('in_chans', 3), img[0], img[1])
    if fam == 'deit_distilled':
        from timm.models.deit import VisionTransformerDistilled
        k = {key: (tuple(v) if isinstance(v, list) else v) for key, v in kw.items()}
        model = VisionTransformerDistilled(**k)
        img = _pair(kw.get('img_size', 224))
        return model, (kw.get('in_chans', 3), img[0], img[1])
    if fam == 'vit_hybrid':
        from timm.models.vision_transformer import VisionTransformer
        from timm.models.vision_transformer_hybrid import HybridEmbed
        from timm.models.resnetv2 import ResNetV2, create_resnetv2_stem
        from timm.layers import StdConv2dSame
        layers = kw.pop('backbone_layers', [3, 4, 9])
        channels = kw.pop('backbone_channels', [256, 512, 1024, 2048][:len(layers)])
        stem_chs = kw.pop('stem_chs', 64)
        in_chans = kw.get('in_chans', 3)
        conv_layer = partial(StdConv2dSame, eps=1e-8)
        if len(layers):
            backbone = ResNetV2(layers=tuple(layers), channels=tuple(channels), stem_chs=stem_chs,
                                num_classes=0, global_pool='', in_chans=in_chans, preact=False,
                                stem_type='same', conv_layer=conv_layer)
        else:
            backbone = create_resnetv2_stem(in_chans, out_chs=stem_chs, stem_type='same', preact=False,
                                            conv_layer=conv_layer)
        kw.setdefault('patch_size', 1)
        k = {key: (tuple(v) if isinstance(v, list) else v) for key, v in kw.items()}
        model = VisionTransformer(embed_layer=partial(HybridEmbed, backbone=backbone), **k)
        img = _pair(kw.get('img_size', 224))
        return model, (in_chans, img[0], img[1])
    if fam == 'swin':
        from timm.models.swin_transformer import SwinTransformer
        k = {key: (tuple(v) if isinstance(v, list) else v) for key, v in kw.items()}
        model = SwinTransformer(**k)
        img = _pair(kw.get('img_size', 224))
        return model, (kw.get('in_chans', 3), img[0], img[1])
    if fam == 'mobilevit':
        from timm.models.byobnet import ByobNet, ByoModelCfg, ByoBlockCfg
        depths = kw['depths']
        n = len(depths)
        channels = kw['channels']
        strides = kw.get('strides', [1, 2, 2, 2, 2, 2, 2, 2, 2, 2][:n])
        exp = kw.get('expansion', 2.0)
        exps = exp if isinstance(exp, list) else [exp] * n
        tdims = kw['transformer_dims']
        tdepths = kw['transformer_depths']
        ps = kw.get('patch_size', 2)
        ps = ps if isinstance(ps, list) else [ps] * n
        nh = kw.get('num_heads', 4)
        nh = nh if isinstance(nh, list) else [nh] * n
        mlp_ratio = kw.get('mlp_ratio', 2.0)
        blocks = []
        for i in range(n):
            ir = ByoBlockCfg(type='bottle', d=depths[i], c=channels[i], s=strides[i], gs=1, br=exps[i],
                             block_kwargs=dict(bottle_in=True, linear_out=True))
            if tdims[i] > 0:
                mv = ByoBlockCfg(type='mobilevit', d=1, c=channels[i], s=1, block_kwargs=dict(
                    transformer_dim=tdims[i], transformer_depth=tdepths[i], patch_size=ps[i],
                    num_heads=nh[i], mlp_ratio=mlp_ratio))
                blocks.append((ir, mv))
            else:
                blocks.append(ir)
        num_features = kw.get('num_features', 4 * channels[-1])
        mcfg = ByoModelCfg(blocks=tuple(blocks), stem_chs=kw.get('stem_chs', 16), stem_type='3x3',
                           stem_pool='', downsample='', act_layer='silu', num_features=num_features)
        in_chans = kw.get('in_chans', 3)
        model = ByobNet(mcfg, num_classes=kw.get('num_classes', 1000), in_chans=in_chans)
        img = _pair(kw.get('img_size', 256))
        return model, (in_chans, img[0], img[1])
    raise ValueError(fam)


# ---------------------------------------------------------------------------------------------
# vitc side
# ---------------------------------------------------------------------------------------------

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
VITC = ['node', os.path.join(REPO, 'bin', 'vitc.js')]
USE = {'vit': 'std.vit', 'deit_distilled': 'std.vit', 'vit_hybrid': 'std.vit', 'swin': 'std.swin',
       'mobilevit': 'std.mobilevit'}


def fmt_val(v):
    if isinstance(v, bool):
        return 'true' if v else 'false'
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, float):
        r = repr(v)
        return r if ('.' in r or 'e' in r) else r + '.0'
    if isinstance(v, (list, tuple)):
        return '[' + ', '.join(fmt_val(x) for x in v) + ']'
    return str(v)


def vit_line(name, cfg):
    args = ', '.join(f'{k}: {fmt_val(v)}' for k, v in cfg['kw'].items())
    return f"model {name} = {cfg['family']}({args})"


def run_vitc(args, timeout=600):
    p = subprocess.run(VITC + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr
