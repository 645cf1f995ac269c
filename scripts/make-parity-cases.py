#!/usr/bin/env python3
"""Generate extra timm parity cases for vitc (test/parity/extra/<case>/).

Each case is a small random-weight model built with timm 0.9.16's own classes. Weights are redrawn
exactly like the shared fixtures (test/fixtures/timm, see their config.json "init" text), an input
is drawn from a seeded generator, and timm's float32 outputs (plus per-module activations captured with
forward hooks) are saved together with tolerances derived from a float64 re-run of the same model.

Usage (see test/parity/extra/README.md for the environment):

    PYTHONPATH=/tmp/timm0916 python scripts/make-parity-cases.py            # all cases
    PYTHONPATH=/tmp/timm0916 python scripts/make-parity-cases.py --cases swin_clamp,deit_distilled_small
    python scripts/make-parity-cases.py --check                             # only re-open and check files

Files written per case: weights.safetensors, input.safetensors, output.safetensors, config.json.
"""
import argparse
import copy
import dataclasses
import decimal
import glob
import json
import math
import os
import sys
from collections import OrderedDict
from functools import partial

# timm 0.9.16 under torch >= 2 would route attention through F.scaled_dot_product_attention. The shared
# fixtures were made with torch 1.13, where timm always takes the explicit path
# softmax((q * scale) @ k^T [+ bias] [+ mask]) @ v; use that same path here (set before importing timm).
# Pass --fused-attn to keep timm's default instead.
if '--fused-attn' not in sys.argv:
    os.environ['TIMM_FUSED_ATTN'] = '0'

import torch
import torch.nn as nn

TIMM_VERSION = '0.9.16'
TIMM_COMMIT = '6e6f3686a7e06bcba37bbd3b7c755f04a516a1e7'
REINIT_SEED = 1234
INPUT_SEED = 42
BUILD_SEED = 0

INIT_TEXT = (
    "Overwrite every parameter and BatchNorm running stat with seeded random values.\n\n"
    "norm weights (LayerNorm/GroupNorm/BatchNorm, incl. timm's *Act variants): 1 + 0.2*N(0,1)\n"
    "norm biases: 0.1*N(0,1); BatchNorm running_mean: 0.2*N(0,1), running_var: U(0.5, 1.5)\n"
    "every other parameter (Linear/Conv weights and biases, cls/dist token, pos_embed,\n"
    "relative_position_bias_table): 0.2*N(0,1)\n"
    "Values are drawn in state_dict order from one torch.Generator seeded with `seed`."
)
INIT_DETAIL = (
    "Exact draws, per state_dict entry in order (num_batches_tracked skipped, nothing drawn): "
    "x = torch.randn(shape, generator=g) scaled as above; for running_var a randn(shape) is drawn and "
    "discarded, then torch.rand(shape, generator=g) + 0.5. Seeds: see `seeds`. This reproduces the "
    "shared fixtures' weights bit for bit."
)

RULE_TEXT = (
    "suggested_atol, per tensor: max(3e-05 * max(1, max|ref|), 20 * max|timm float32 - timm float64|), "
    "rounded up to two significant digits; pass when max|yours - ref| <= it. This is for plain float32 "
    "backends (tfjs cpu/wasm). loose_atol = 0.002 * max(1, max|ref|) is an unmeasured allowance for GPU "
    "backends that may use TF32 or half precision internally; it no longer catches small convention bugs "
    "such as tanh-GELU."
)

OUTPUT_NOTES = (
    "logits = forward(); features = forward_features(); pre_logits = forward_head(features, "
    "pre_logits=True); act.<path> = output of the module at <path> (its state_dict prefix), captured by "
    "a forward hook; layouts as listed per tensor."
)


# ----------------------------------------------------------------------------------------------------
# Environment helpers
# ----------------------------------------------------------------------------------------------------

_TV_PLACEHOLDER_LIB = None


def _prepare_torchvision():
    """timm 0.9.16 imports torchvision (FrozenBatchNorm2d, data transforms) but none of the models here
    use it. If the installed torchvision's compiled ops cannot load against this torch (e.g. a CUDA
    torchvision next to a CPU-only torch), torchvision's import dies registering fake kernels for
    `torchvision::nms`/`qnms`. In that case define those two op schemas (no kernels) so the pure-Python
    parts import. Returns a short description for config.json."""
    global _TV_PLACEHOLDER_LIB
    import importlib.util
    spec = importlib.util.find_spec('torchvision')
    if spec is None:
        return 'not installed'
    libs = glob.glob(os.path.join(os.path.dirname(spec.origin), '_C*.so')) + \
        glob.glob(os.path.join(os.path.dirname(spec.origin), '_C*.pyd'))
    if libs:
        try:
            torch.ops.load_library(libs[0])
            return 'ok'
        except (OSError, RuntimeError):
            pass
    lib = torch.library.Library('torchvision', 'DEF')
    lib.define('nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    lib.define('qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor')
    _TV_PLACEHOLDER_LIB = lib
    return 'compiled ops unavailable; placeholder schemas for torchvision::nms/qnms (unused by these models)'


def _import_timm():
    tv = _prepare_torchvision()
    import timm  # noqa: F401
    if timm.__version__ != TIMM_VERSION:
        raise SystemExit(f'need timm {TIMM_VERSION}, found {timm.__version__} at {timm.__file__}')
    return timm, tv


# ----------------------------------------------------------------------------------------------------
# Numbers
# ----------------------------------------------------------------------------------------------------

def round_up_2sig(x):
    """Round a positive float up to two significant digits (0.000200771 -> 0.00021)."""
    if x <= 0:
        return 0.0
    d = decimal.Decimal(repr(float(x)))
    exp = d.adjusted() - 1  # keep two significant digits
    q = decimal.Decimal(1).scaleb(exp)
    r = (d / q).to_integral_value(rounding=decimal.ROUND_CEILING) * q
    return float(r)


NORM_TYPES = (nn.LayerNorm, nn.GroupNorm, nn.modules.batchnorm._BatchNorm)


def reinit_(model, seed=REINIT_SEED):
    """Redraw every state_dict float entry (except BatchNorm num_batches_tracked) in state_dict order."""
    modules = dict(model.named_modules())
    g = torch.Generator().manual_seed(seed)
    sd = model.state_dict(keep_vars=True)
    with torch.no_grad():
        for key, t in sd.items():
            if key.endswith('num_batches_tracked'):
                continue
            mod_name, _, leaf = key.rpartition('.')
            mod = modules[mod_name]
            shape = tuple(t.shape)
            if isinstance(mod, NORM_TYPES) and leaf == 'weight':
                v = 1 + 0.2 * torch.randn(shape, generator=g)
            elif isinstance(mod, NORM_TYPES) and leaf == 'bias':
                v = 0.1 * torch.randn(shape, generator=g)
            elif leaf == 'running_mean':
                v = 0.2 * torch.randn(shape, generator=g)
            elif leaf == 'running_var':
                # The shared fixtures' generator draws (and discards) a normal sample of the same shape
                # before the uniform one; doing the same keeps this script bit-identical to them
                # (checked: it reproduces test/fixtures/timm/*/weights.safetensors exactly).
                torch.randn(shape, generator=g)
                v = torch.rand(shape, generator=g) + 0.5
            else:
                if not t.is_floating_point():
                    raise RuntimeError(f'unexpected non-float state_dict entry {key}')
                v = 0.2 * torch.randn(shape, generator=g)
            t.copy_(v)


def make_input(shape, seed=INPUT_SEED):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def run_model(model, x, act_paths):
    """Return OrderedDict of logits, features, pre_logits, act.<path> for one forward pass each."""
    modules = dict(model.named_modules())
    acts = {}
    handles = []

    def hook(name):
        def fn(_m, _inp, out):
            if isinstance(out, (tuple, list)):
                raise RuntimeError(f'module {name} returned a {type(out).__name__}')
            acts[name] = out.detach().clone()
        return fn

    for p in act_paths:
        if p not in modules:
            raise KeyError(f'no module at path {p!r}')
        handles.append(modules[p].register_forward_hook(hook(p)))
    with torch.no_grad():
        logits = model(x)
    for h in handles:
        h.remove()
    with torch.no_grad():
        features = model.forward_features(x)
        pre_logits = model.forward_head(features, pre_logits=True)
    out = OrderedDict()
    out['logits'] = logits
    out['features'] = features
    out['pre_logits'] = pre_logits
    for p in act_paths:
        out['act.' + p] = acts[p]
    return out


# ----------------------------------------------------------------------------------------------------
# Cases
# ----------------------------------------------------------------------------------------------------

BC = 'BC'
BNC = 'BNC'
NCHW = 'NCHW'
NHWC = 'NHWC'
SWIN_WIN = 'windows: [B*nW, ws*ws, C], windows row-major over the (padded) grid'
SWIN_WIN_SHIFTED = 'windows (of the rolled map): [B*nW, ws*ws, C]'
MVIT_UNFOLDED = 'unfolded: [B*P, N, C], row b*P+p, P=ph*pw pixel offset, N=nh*nw patch'


def build_deit_distilled_small(timm):
    from timm.models.deit import VisionTransformerDistilled
    kwargs = dict(img_size=32, patch_size=8, embed_dim=64, depth=2, num_heads=4, num_classes=10)
    model = VisionTransformerDistilled(**kwargs)
    assert model.distilled_training is False
    info = dict(cls='timm.models.deit.VisionTransformerDistilled', kwargs=kwargs)
    return model, info


def build_vit_avgpool_nobias(timm):
    from timm.models.vision_transformer import VisionTransformer
    kwargs = dict(img_size=32, patch_size=8, embed_dim=48, depth=2, num_heads=3, mlp_ratio=2.0,
                  qkv_bias=False, num_classes=7, global_pool='avg')
    model = VisionTransformer(**kwargs)
    return model, dict(cls='timm.models.vision_transformer.VisionTransformer', kwargs=kwargs)


def build_vit_noclass_rect(timm):
    from timm.models.vision_transformer import VisionTransformer
    kwargs = dict(img_size=(32, 48), patch_size=8, embed_dim=32, depth=1, num_heads=2, num_classes=5,
                  class_token=False, global_pool='avg')
    model = VisionTransformer(**kwargs)
    return model, dict(cls='timm.models.vision_transformer.VisionTransformer', kwargs=kwargs)


def build_swin_clamp(timm):
    from timm.models.swin_transformer import SwinTransformer
    kwargs = dict(img_size=32, patch_size=4, in_chans=3, num_classes=6, embed_dim=32, depths=(2, 2),
                  num_heads=(2, 4), window_size=8, mlp_ratio=2.0)
    model = SwinTransformer(**kwargs)
    return model, dict(cls='timm.models.swin_transformer.SwinTransformer', kwargs=kwargs)


def build_swin_three_stages(timm):
    from timm.models.swin_transformer import SwinTransformer
    kwargs = dict(img_size=48, patch_size=2, num_classes=4, embed_dim=16, depths=(2, 2, 2),
                  num_heads=(1, 2, 4), window_size=6, mlp_ratio=2.0)
    model = SwinTransformer(**kwargs)
    return model, dict(cls='timm.models.swin_transformer.SwinTransformer', kwargs=kwargs)


def _build_hybrid(variant, layers, vit_kwargs):
    # Exactly timm's own route for the R+ViT hybrids (vision_transformer_hybrid.py):
    # _resnetv2() builds ResNetV2(layers, num_classes=0, global_pool='', preact=False, stem_type='same',
    # conv_layer=partial(StdConv2dSame, eps=1e-8)) or, for layers=(), just create_resnetv2_stem(...);
    # _create_vision_transformer_hybrid() wraps it as embed_layer=partial(HybridEmbed, backbone=backbone).
    from timm.models import vision_transformer_hybrid as vth
    backbone = vth._resnetv2(layers=layers)
    model = vth._create_vision_transformer_hybrid(variant, backbone=backbone, pretrained=False, **vit_kwargs)
    if len(layers):
        bb = {
            'class': 'timm.models.resnetv2.ResNetV2',
            'kwargs': dict(layers=list(layers), num_classes=0, global_pool='', in_chans=3, preact=False,
                           stem_type='same', conv_layer='partial(timm.layers.StdConv2dSame, eps=1e-8)'),
        }
    else:
        bb = {
            'class': 'timm.models.resnetv2.create_resnetv2_stem (an nn.Sequential: conv, norm, pool)',
            'kwargs': dict(in_chs=3, stem_type='same', preact=False,
                           conv_layer='partial(timm.layers.StdConv2dSame, eps=1e-8)'),
        }
    kwargs = dict(vit_kwargs)
    kwargs['embed_layer'] = 'partial(timm.models.vision_transformer_hybrid.HybridEmbed, backbone=<backbone>)'
    info = dict(
        cls='timm.models.vision_transformer.VisionTransformer',
        kwargs=kwargs,
        backbone=bb,
        built_with=(
            f"backbone = timm.models.vision_transformer_hybrid._resnetv2(layers={tuple(layers)!r}); "
            f"timm.models.vision_transformer_hybrid._create_vision_transformer_hybrid({variant!r}, "
            f"backbone=backbone, pretrained=False, **kwargs)  # variant name only selects the pretrained_cfg "
            f"metadata; nothing is downloaded"
        ),
    )
    return model, info


def build_resnetv2_hybrid(timm):
    return _build_hybrid('vit_small_r26_s32_224', (1,), dict(
        img_size=64, patch_size=1, embed_dim=64, depth=1, num_heads=2, num_classes=10))


def build_resnetv2_stem_only(timm):
    return _build_hybrid('vit_tiny_r_s16_p8_224', (), dict(
        img_size=64, patch_size=2, embed_dim=32, depth=1, num_heads=2, num_classes=10))


def build_mobilevit_rounding(timm):
    model = timm.create_model('mobilevit_xxs', pretrained=False, num_classes=5)
    from timm.models.mobilevit import model_cfgs
    cfg = dataclasses.asdict(model_cfgs['mobilevit_xxs'])
    info = dict(
        cls="timm.models.byobnet.ByobNet (timm.create_model('mobilevit_xxs', pretrained=False, num_classes=5))",
        kwargs=dict(num_classes=5, cfg=cfg),
        built_with="timm.create_model('mobilevit_xxs', pretrained=False, num_classes=5)",
    )
    return model, info


def build_mobilevit_dilated(timm):
    # Seven stride-2 stages on 64x64: the stem and five stages reach output stride 32, so timm's
    # ByobNet (output_stride=32) dilates the last two stages instead (dilation 2, then 4 with a
    # first block at 2, which loses its shortcut although its channels and stride match).
    from timm.models.byobnet import ByobNet, ByoModelCfg, ByoBlockCfg
    channels = [16, 16, 24, 24, 32, 32, 32]
    depths = [1, 1, 1, 1, 1, 1, 2]
    blocks = []
    for i, (c, d) in enumerate(zip(channels, depths)):
        ir = ByoBlockCfg(type='bottle', d=d, c=c, s=1 if i == 0 else 2, gs=1, br=2.0,
                         block_kwargs=dict(bottle_in=True, linear_out=True))
        if i in (5, 6):
            mv = ByoBlockCfg(type='mobilevit', d=1, c=c, s=1, block_kwargs=dict(
                transformer_dim=32, transformer_depth=1, patch_size=2 if i == 5 else 1, num_heads=2, mlp_ratio=2.0))
            blocks.append((ir, mv))
        else:
            blocks.append(ir)
    cfg = ByoModelCfg(blocks=tuple(blocks), stem_chs=16, stem_type='3x3', stem_pool='', downsample='',
                      act_layer='silu', num_features=64)
    model = ByobNet(cfg, num_classes=5, in_chans=3)
    info = dict(
        cls="timm.models.byobnet.ByobNet (a MobileViT config with seven stride-2 stages, output_stride=32)",
        kwargs=dict(num_classes=5, cfg=dataclasses.asdict(cfg)),
        built_with="ByobNet(ByoModelCfg(...), num_classes=5): see build_mobilevit_dilated in scripts/make-parity-cases.py",
    )
    return model, info


CASES = OrderedDict()


def _case(name, builder, input_hw, acts, layouts, description):
    CASES[name] = dict(builder=builder, input_hw=input_hw, acts=acts, layouts=layouts, description=description)


_case(
    'deit_distilled_small', build_deit_distilled_small, (32, 32),
    [('patch_embed', BNC), ('blocks.0.attn', BNC), ('blocks.0', BNC), ('blocks.1', BNC), ('norm', BNC)],
    dict(features=BNC, pre_logits=BC),
    'DeiT distilled: 8x8 patches on 32x32 (16 tokens), sequence [cls, dist, patches] with a 2-row-prefix '
    'pos_embed, 2 blocks, 4 heads; eval logits = (head(token0) + head_dist(token1)) / 2. pre_logits is '
    'timm\'s (token0 + token1) / 2 of the normed tokens.',
)
_case(
    'vit_avgpool_nobias', build_vit_avgpool_nobias, (32, 32),
    [('patch_embed', BNC), ('blocks.0.attn', BNC), ('blocks.0', BNC), ('blocks.1', BNC), ('fc_norm', BC)],
    dict(features=BNC, pre_logits=BC),
    'ViT with global_pool=avg: class token present but excluded from the mean, final norm is Identity, '
    'fc_norm (LayerNorm eps 1e-6) after averaging; qkv without bias; 3 heads of head_dim 16; MLP ratio 2.',
)
_case(
    'vit_noclass_rect', build_vit_noclass_rect, (32, 48),
    [('patch_embed', BNC), ('blocks.0.attn', BNC), ('blocks.0', BNC), ('fc_norm', BC)],
    dict(features=BNC, pre_logits=BC),
    'ViT on a rectangular 32x48 input (4x6 = 24 tokens, row-major), no class token (pos_embed has no '
    'prefix row), global_pool=avg over all tokens, fc_norm, 1 block, 2 heads.',
)
_case(
    'swin_clamp', build_swin_clamp, (32, 32),
    [('patch_embed', NHWC), ('layers.0.blocks.0.attn', SWIN_WIN), ('layers.0.blocks.1', NHWC),
     ('layers.1.downsample', NHWC), ('layers.1.blocks.1', NHWC), ('norm', NHWC)],
    dict(features=NHWC, pre_logits=BC),
    'Swin with a window that never fits: 4x4 patches on 32x32 -> 8x8 grid = configured window 8, so '
    'stage 0 is one 8x8 window and neither block shifts (no mask; relative_position_bias_table 15x15 = '
    '225 rows); stage 1 (4x4 after merging) is smaller than the window, which clamps to 4 (table 7x7 = '
    '49 rows), no shift. Heads 2, 4; MLP ratio 2.',
)
_case(
    'swin_three_stages', build_swin_three_stages, (48, 48),
    [('layers.0.blocks.1', NHWC), ('layers.1.blocks.1.attn', SWIN_WIN_SHIFTED), ('layers.1', NHWC),
     ('layers.2.downsample', NHWC), ('layers.2', NHWC), ('norm', NHWC)],
    dict(features=NHWC, pre_logits=BC),
    'Swin with three stages and window 6 (shift 3): 2x2 patches on 48x48 -> 24x24 (16 windows, block 1 '
    'shifted with mask), 12x12 (4 windows, block 1 shifted with mask), 6x6 (= window: no shift, no mask); '
    'heads 1, 2, 4; MLP ratio 2.',
)
_case(
    'resnetv2_hybrid', build_resnetv2_hybrid, (64, 64),
    [('patch_embed.backbone.stem', NCHW), ('patch_embed.backbone.stages.0', NCHW), ('patch_embed', BNC),
     ('blocks.0', BNC), ('norm', BNC)],
    dict(features=BNC, pre_logits=BC),
    'Hybrid R+ViT as timm builds vit_small_r26_s32_224, tiny: ResNetV2 backbone (StdConv2dSame eps 1e-8, '
    'TF-SAME 7x7/2 stem conv + GroupNormAct(32) + SAME 3x3/2 max pool, one stage of one post-act '
    'bottleneck 64->256 with projection shortcut, stride 1) -> 16x16x256, HybridEmbed proj Conv2d(256, '
    '64, 1) -> 256 tokens + class token, 1 block, 2 heads, token pooling.',
)
_case(
    'resnetv2_stem_only', build_resnetv2_stem_only, (64, 64),
    [('patch_embed.backbone', NCHW), ('patch_embed', BNC), ('blocks.0', BNC)],
    dict(features=BNC, pre_logits=BC),
    'Hybrid R+ViT with a stem-only backbone as in vit_tiny_r_s16_p8_224: the backbone IS the stem '
    '(nn.Sequential conv/norm/pool: keys patch_embed.backbone.conv.weight, patch_embed.backbone.norm.*), '
    '64x64 -> 16x16x64, HybridEmbed proj Conv2d(64, 32, kernel 2, stride 2) -> 8x8 = 64 tokens + class '
    'token, 1 block, 2 heads.',
)
_case(
    'mobilevit_rounding', build_mobilevit_rounding, (64, 64),
    [('stem', NCHW), ('stages.0', NCHW), ('stages.1', NCHW), ('stages.2.1.transformer', MVIT_UNFOLDED),
     ('stages.2', NCHW), ('stages.3', NCHW), ('stages.4', NCHW), ('final_conv', NCHW)],
    dict(features=NCHW, pre_logits=BC),
    "timm's real mobilevit_xxs config (create_model, num_classes=5) on 64x64: stem 16, MV2 stages "
    "(expansion 2; 3 blocks in stage 1), MobileViT blocks at 8x8 (dim 64, depth 2), 4x4 (dim 80, depth 4) "
    "and 2x2 (dim 96, depth 3: one 2x2 patch, N=1), 4 heads (head_dim 16/20/24), final 1x1 conv to 320.",
)

_case(
    'mobilevit_dilated', build_mobilevit_dilated, (64, 64),
    [('stem', NCHW), ('stages.4', NCHW), ('stages.5.0', NCHW), ('stages.5', NCHW), ('stages.6.0', NCHW),
     ('stages.6.1', NCHW), ('stages.6', NCHW), ('final_conv', NCHW)],
    dict(features=NCHW, pre_logits=BC),
    "MobileViT past output stride 32: seven stride-2 stages on 64x64 (stem 16); stages 5 and 6 keep the 2x2 "
    "map and dilate their 3x3 convs by 2 and by 4 (stage 6's first block at 2, so it has no shortcut); "
    "MobileViT blocks in both (dim 32, depth 1, 2 heads, patches 2 and 1), final 1x1 conv to 64, 5 classes.",
)


def describe_swin(model):
    from timm.models.swin_transformer import SwinTransformerBlock
    out = []
    for name, m in model.named_modules():
        if isinstance(m, SwinTransformerBlock):
            out.append(dict(
                block=name,
                resolution=list(m.input_resolution),
                dim=m.dim,
                num_heads=m.attn.num_heads,
                window_size=list(m.window_size),
                shift_size=list(m.shift_size),
                has_attn_mask=m.attn_mask is not None,
                relative_position_bias_table=list(m.attn.relative_position_bias_table.shape),
            ))
    return out


def describe_mobilevit(model, x):
    from timm.models.mobilevit import MobileVitBlock
    shapes = {}
    handles = []
    for name, m in model.named_modules():
        if isinstance(m, MobileVitBlock):
            handles.append(m.register_forward_pre_hook(
                (lambda n: lambda _m, inp: shapes.__setitem__(n, tuple(inp[0].shape)))(name)))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    out = []
    for name, m in model.named_modules():
        if isinstance(m, MobileVitBlock):
            _, c, h, w = shapes[name]
            ph, pw = m.patch_size
            blk0 = m.transformer[0]
            tdim = m.conv_1x1.out_channels
            heads = blk0.attn.num_heads
            out.append(dict(
                block=name,
                feature_map=[h, w],
                patch_size=[ph, pw],
                num_patches=[math.ceil(h / ph), math.ceil(w / pw)],
                in_chs=c,
                transformer_dim=tdim,
                transformer_depth=len(m.transformer),
                num_heads=heads,
                head_dim=tdim // heads,
                mlp_hidden=blk0.mlp.fc1.out_features,
                interpolates=(h % ph != 0 or w % pw != 0),
            ))
    return out


# ----------------------------------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------------------------------

def _json_default(o):
    if isinstance(o, tuple):
        return list(o)
    return str(o)


def make_case(timm, name, spec, out_root, env):
    from safetensors.torch import save_file
    torch.manual_seed(BUILD_SEED)
    model, info = spec['builder'](timm)
    model.eval()
    reinit_(model)
    h, w = spec['input_hw']
    x = make_input((2, 3, h, w))
    act_paths = [p for p, _ in spec['acts']]
    act_layouts = dict(spec['acts'])

    out32 = run_model(model, x, act_paths)
    model64 = copy.deepcopy(model).double().eval()
    out64 = run_model(model64, x.double(), act_paths)

    sd = model.state_dict()
    weights = OrderedDict()
    omitted = []
    for k, v in sd.items():
        if k.endswith('num_batches_tracked'):
            omitted.append(k)
            continue
        weights[k] = v.detach().contiguous().clone()
    non_persistent = OrderedDict()
    for k, b in model.named_buffers():
        if k not in sd and b is not None:
            non_persistent[k] = dict(shape=list(b.shape), dtype=str(b.dtype).replace('torch.', ''))

    case_dir = os.path.join(out_root, name)
    os.makedirs(case_dir, exist_ok=True)
    save_file(weights, os.path.join(case_dir, 'weights.safetensors'))
    save_file({'input': x.contiguous()}, os.path.join(case_dir, 'input.safetensors'))
    save_file(OrderedDict((k, v.contiguous()) for k, v in out32.items()),
              os.path.join(case_dir, 'output.safetensors'))

    tensors = OrderedDict()
    for k, v in out32.items():
        ref = v.double()
        max_abs = float(ref.abs().max())
        diff = float((ref - out64[k]).abs().max())
        if k == 'logits':
            layout = BC
        elif k.startswith('act.'):
            layout = act_layouts[k[4:]]
        else:
            layout = spec['layouts'][k]
        tensors[k] = OrderedDict(
            shape=list(v.shape),
            layout=layout,
            max_abs=max_abs,
            std=float(ref.std()),
            fp32_vs_fp64_max_abs=diff,
            suggested_atol=round_up_2sig(max(3e-5 * max(1.0, max_abs), 20 * diff)),
            loose_atol=round_up_2sig(2e-3 * max(1.0, max_abs)),
        )

    timm_block = OrderedDict(version=timm.__version__, commit=TIMM_COMMIT, **{'class': info['cls']},
                             kwargs=info['kwargs'])
    for extra in ('backbone', 'built_with'):
        if extra in info:
            timm_block[extra] = info[extra]

    cfg = OrderedDict()
    cfg['name'] = name
    cfg['description'] = spec['description']
    cfg['timm'] = timm_block
    cfg['torch_version'] = torch.__version__
    cfg['environment'] = env
    cfg['seeds'] = dict(torch_manual_seed_before_build=BUILD_SEED, reinit_generator=REINIT_SEED,
                        input_generator=INPUT_SEED)
    cfg['init'] = INIT_TEXT
    cfg['init_detail'] = INIT_DETAIL
    cfg['input'] = OrderedDict(file='input.safetensors', name='input', shape=list(x.shape), layout='NCHW',
                               dtype='F32', distribution='standard normal')
    cfg['params'] = sum(p.numel() for p in model.parameters())
    cfg['weights'] = OrderedDict(
        file='weights.safetensors',
        tensors=len(weights),
        values=sum(v.numel() for v in weights.values()),
        omitted_state_dict_entries=omitted,
        omitted_note=('BatchNorm num_batches_tracked (int64 counters, unused in eval) are not saved'
                      if omitted else 'nothing omitted: every state_dict entry is in the file'),
        non_persistent_buffers_not_saved=non_persistent,
    )
    cfg['output'] = OrderedDict(file='output.safetensors', tensors=tensors, notes=OUTPUT_NOTES)
    cfg['tolerance'] = OrderedDict(
        suggested_atol_logits=tensors['logits']['suggested_atol'],
        loose_atol_logits=tensors['logits']['loose_atol'],
        rule=RULE_TEXT,
    )
    if name.startswith('swin'):
        cfg['swin_blocks'] = describe_swin(model)
    if name.startswith('mobilevit'):
        cfg['mobilevit_blocks'] = describe_mobilevit(model, x)
    cfg['file_bytes'] = OrderedDict(
        (f, os.path.getsize(os.path.join(case_dir, f)))
        for f in ('weights.safetensors', 'input.safetensors', 'output.safetensors'))
    with open(os.path.join(case_dir, 'config.json'), 'w') as fh:
        json.dump(cfg, fh, indent=1, default=_json_default)
        fh.write('\n')
    return cfg


def check_case(out_root, name):
    """Re-open the files, check shapes/dtypes against config.json; return a one-line summary."""
    from safetensors import safe_open
    case_dir = os.path.join(out_root, name)
    with open(os.path.join(case_dir, 'config.json')) as fh:
        cfg = json.load(fh)
    problems = []
    with safe_open(os.path.join(case_dir, 'input.safetensors'), 'pt') as f:
        if list(f.keys()) != ['input'] or list(f.get_tensor('input').shape) != cfg['input']['shape']:
            problems.append('input shape/keys')
    with safe_open(os.path.join(case_dir, 'output.safetensors'), 'pt') as f:
        keys = set(f.keys())
        if keys != set(cfg['output']['tensors']):
            problems.append(f'output keys {sorted(keys ^ set(cfg["output"]["tensors"]))}')
        for k, meta in cfg['output']['tensors'].items():
            if k in keys:
                t = f.get_tensor(k)
                if list(t.shape) != meta['shape'] or t.dtype != torch.float32:
                    problems.append(f'{k} shape {list(t.shape)} dtype {t.dtype}')
                if not torch.isfinite(t).all():
                    problems.append(f'{k} not finite')
    n_vals = 0
    with safe_open(os.path.join(case_dir, 'weights.safetensors'), 'pt') as f:
        nk = len(list(f.keys()))
        for k in f.keys():
            t = f.get_tensor(k)
            n_vals += t.numel()
            if t.dtype != torch.float32:
                problems.append(f'weight {k} dtype {t.dtype}')
    if nk != cfg['weights']['tensors'] or n_vals != cfg['weights']['values']:
        problems.append('weights count')
    total = sum(os.path.getsize(os.path.join(case_dir, f)) for f in os.listdir(case_dir))
    status = 'ok' if not problems else 'PROBLEMS: ' + '; '.join(problems)
    return f'{name}: {status} ({total} bytes, params {cfg["params"]})'


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', default=os.path.join(here, '..', 'test', 'parity', 'extra'))
    ap.add_argument('--cases', default='', help='comma-separated subset (default: all)')
    ap.add_argument('--check', action='store_true', help='only re-open and check existing files')
    ap.add_argument('--fused-attn', action='store_true',
                    help="keep timm's default fused attention (F.scaled_dot_product_attention) on torch 2")
    args = ap.parse_args()
    names = [c for c in args.cases.split(',') if c] or list(CASES)
    for n in names:
        if n not in CASES:
            raise SystemExit(f'unknown case {n}; known: {", ".join(CASES)}')
    out_root = os.path.normpath(args.out)

    if not args.check:
        timm, tv = _import_timm()
        from timm.layers import use_fused_attn
        env = OrderedDict(
            timm_file=os.path.dirname(timm.__file__),
            timm_fused_attn=bool(use_fused_attn()),
            torchvision=tv,
            python=sys.version.split()[0],
            device='cpu',
            dtype='float32 (tolerances from a float64 re-run: model.double())',
        )
        torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))
        for n in names:
            cfg = make_case(timm, n, CASES[n], out_root, env)
            print(f'wrote {n}: params {cfg["params"]}, logits atol {cfg["tolerance"]["suggested_atol_logits"]}')
    for n in names:
        print(check_case(out_root, n))


if __name__ == '__main__':
    main()
