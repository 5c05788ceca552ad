#!/usr/bin/python3
"""Train the embedded Countdown value model and export it to ONNX.

Run with Debian's interpreter (python3-torch 1.13, CPU):

    node --import tsx model/valueData.ts --problems 900 --seed 1 --out /tmp/vd/train-1.jsonl   # and --seed 2
    node --import tsx model/valueData.ts --split validation --problems 200 --seed 11 --out /tmp/vd/validation.jsonl
    /usr/bin/python3 model/train_value.py --arch pairs --epochs 40 --train /tmp/vd/train-1.jsonl,/tmp/vd/train-2.jsonl \
        --eval /tmp/vd/validation.jsonl

What it does (see model/README.md, "Value model"):
  1. Reads the states the shipped step policy passed through in its own rollouts on training problems (never a
     held-out problem, model/valueData.ts), each with `pos` of `n` visits that went on to reach the target.
  2. Trains a network on the state (`2, 7, 15 > 24`: the remaining numbers, sorted, and the target) to predict that
     chance, V^pi(state), with the binomial log-likelihood of the counts (a state seen n times weighs n):
     `--arch pairs` (shipped) reads the numbers as values (PairValueNet); `--arch transformer` reads the text, a
     character or (`--tokens numbers`) a number per token (the first shipped model).
  3. Reports, on the validation problems' states (held out, not used to train or to stop): log-loss, Brier score
     and AUC, next to the base rate per depth (how far a value that knows only the depth gets).
  4. Exports `countdown-value.onnx` (pairs: inputs `numbers` / `mask` float32 [batch, 4] and `target` float32
     [batch]; transformer: `input_ids` int64 [batch, seq], `<cls>` first, right-padded with `<pad>`; output `value`
     float32 [batch] in (0, 1)), its SHA-256 and `countdown-value.json` (architecture, shapes, vocabulary for a
     transformer, and check states with torch's scores for the runtime's test).
"""
import argparse
import hashlib
import json
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CHAR_VOCAB = ['<pad>', '<cls>'] + list('0123456789') + [',', ' ', '>']
PAD, CLS = 0, 1
# `--tokens numbers`: one token per number up to MAX_NUMBER (larger ones share `<big>`), so the network compares
# numbers instead of first assembling them from digits
MAX_NUMBER = 999
NUMBER_VOCAB = ['<pad>', '<cls>', '>', '<big>'] + [str(n) for n in range(MAX_NUMBER + 1)]
VOCAB = CHAR_VOCAB
STOI = {c: i for i, c in enumerate(VOCAB)}
ARCH = 'transformer'


def use_tokens(kind):
    global VOCAB, STOI
    VOCAB = NUMBER_VOCAB if kind == 'numbers' else CHAR_VOCAB
    STOI = {c: i for i, c in enumerate(VOCAB)}


def encode(state, ctx):
    if VOCAB is NUMBER_VOCAB:
        left, target = state.split(' > ')
        words = [w for w in left.split(', ') if w] + ['>', target]
        ids = [CLS] + [STOI.get(w, STOI['<big>']) if w != '>' else STOI['>'] for w in words]
    else:
        ids = [CLS] + [STOI[c] for c in state]
    return ids[:ctx]


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc = nn.Linear(d, 4 * d)
        self.out = nn.Linear(4 * d, d)

    def forward(self, x, keep):
        B, T, D = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q = q.view(B, T, self.h, D // self.h).transpose(1, 2)
        k = k.view(B, T, self.h, D // self.h).transpose(1, 2)
        v = v.view(B, T, self.h, D // self.h).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(D // self.h)
        # padding keys get a large negative score (not -inf: a graph without NaN paths exports cleanly)
        att = att + (1.0 - keep[:, None, None, :]) * -1e4
        y = F.softmax(att, dim=-1) @ v
        x = x + self.proj(y.transpose(1, 2).reshape(B, T, D))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class ValueNet(nn.Module):
    def __init__(self, d, layers, heads, ctx):
        super().__init__()
        self.cfg = {'d': d, 'layers': layers, 'heads': heads, 'ctx': ctx}
        self.tok = nn.Embedding(len(VOCAB), d)
        self.pos = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.head = nn.Linear(d, 1)

    def logits(self, ids):
        keep = (ids != PAD).float()
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.tok(ids) + self.pos(pos)
        for b in self.blocks:
            x = b(x, keep)
        return self.head(self.ln(x[:, 0])).squeeze(-1)

    def forward(self, ids):
        return torch.sigmoid(self.logits(ids))


SLOTS = 4  # numbers a Countdown state can hold (the problem's four)
CLAMP = 5000.0  # larger intermediate numbers read as this (no target is near them)


def numeric_features(x):
    """What the pair network reads of a number: its value, its log, and sin / cos of x / 10."""
    return torch.stack([x / 100, torch.log1p(x) / 5, torch.sin(x / 10), torch.cos(x / 10)], -1)


PAIRS = [(i, j) for i in range(SLOTS) for j in range(SLOTS) if i != j]


class PairValueNet(nn.Module):
    """`--arch pairs`: the numbers as values, not text. For every ordered pair (a, b) of numbers left, an MLP reads
    [f(a), f(b), f(target), sum of f(the other numbers)] (f = numeric_features); the pairs' outputs are max-pooled and
    an MLP of that and how many numbers are left gives the logit. No rule of the game is built in: which pairs and
    which arithmetic matter is learnt."""

    def __init__(self, hidden):
        super().__init__()
        self.cfg = {'arch': 'pairs', 'hidden': hidden, 'slots': SLOTS}
        f = 4
        self.pair = nn.Sequential(nn.Linear(4 * f, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(),
                                  nn.Linear(hidden, hidden))
        self.out = nn.Sequential(nn.GELU(), nn.Linear(hidden + SLOTS, hidden), nn.GELU(), nn.Linear(hidden, 1))
        self.register_buffer('first', torch.tensor([i for i, _ in PAIRS]), persistent=False)
        self.register_buffer('second', torch.tensor([j for _, j in PAIRS]), persistent=False)
        others = torch.ones(len(PAIRS), SLOTS)
        for p, (i, j) in enumerate(PAIRS):
            others[p, i] = others[p, j] = 0
        self.register_buffer('others', others, persistent=False)

    def logits(self, numbers, mask, target):
        fx = numeric_features(numbers.clamp(max=CLAMP)) * mask.unsqueeze(-1)
        ft = numeric_features(target.clamp(max=CLAMP))
        a, b = fx[:, self.first], fx[:, self.second]
        rest = torch.einsum('pk,bkf->bpf', self.others, fx)
        feats = torch.cat([a, b, ft.unsqueeze(1).expand(-1, len(PAIRS), -1), rest], -1)
        valid = mask[:, self.first] * mask[:, self.second]
        h = self.pair(feats) + (valid.unsqueeze(-1) - 1) * 1e4
        # a state with one number left has no pair: its pooled features are 0, its count says the rest
        h = h.max(1).values * valid.max(1).values.unsqueeze(-1)
        left = mask.sum(1)
        count = torch.stack([(left == k).float() for k in range(1, SLOTS + 1)], -1)
        return self.out(torch.cat([h, count], -1)).squeeze(-1)

    def forward(self, numbers, mask, target):
        return torch.sigmoid(self.logits(numbers, mask, target))


def numeric_inputs(states):
    numbers = torch.zeros(len(states), SLOTS)
    mask = torch.zeros(len(states), SLOTS)
    target = torch.zeros(len(states))
    for k, state in enumerate(states):
        left, t = state.split(' > ')
        nums = [int(w) for w in left.split(', ') if w]
        if len(nums) > SLOTS:
            raise ValueError(f'state with more than {SLOTS} numbers: {state}')
        numbers[k, :len(nums)] = torch.tensor(nums, dtype=torch.float32)
        mask[k, :len(nums)] = 1
        target[k] = float(t)
    return numbers, mask, target


def load(paths, denominator):
    """States with (positives, visits, depth); the same state from several files is merged. With the `legal`
    denominator only paths without an illegal step count (a search with step checks never keeps one)."""
    agg = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                a = agg.setdefault(r['state'], [0, 0, r['depth']])
                a[0] += r['pos']
                a[1] += r[denominator]
    return [(s, a[0], a[1], a[2]) for s, a in agg.items() if a[1] > 0]


def batches(rows, bs, ctx, rng=None):
    order = list(range(len(rows)))
    if rng:
        rng.shuffle(order)
    for i in range(0, len(order), bs):
        chunk = [rows[j] for j in order[i:i + bs]]
        if ARCH == 'pairs':
            x = numeric_inputs([r[0] for r in chunk])
        else:
            ids = [encode(r[0], ctx) for r in chunk]
            T = max(len(x) for x in ids)
            x = (torch.tensor([s + [PAD] * (T - len(s)) for s in ids]),)
        pos = torch.tensor([float(r[1]) for r in chunk])
        n = torch.tensor([float(r[2]) for r in chunk])
        yield x, pos, n


def binomial_nll(logit, pos, n):
    # -[pos log s + (n - pos) log(1 - s)], summed
    return -(pos * F.logsigmoid(logit) + (n - pos) * F.logsigmoid(-logit)).sum()


def auc(scores, pos, n):
    """Area under the ROC curve with every visit a sample (pos positives, n - pos negatives at one score)."""
    items = sorted(zip(scores, pos, n), key=lambda t: t[0])
    tp_total = sum(p for _, p, _ in items)
    fp_total = sum(c - p for _, p, c in items)
    if tp_total == 0 or fp_total == 0:
        return None
    area, neg_below, i = 0.0, 0.0, 0
    while i < len(items):
        j = i
        p_here = f_here = 0.0
        while j < len(items) and items[j][0] == items[i][0]:
            p_here += items[j][1]
            f_here += items[j][2] - items[j][1]
            j += 1
        area += p_here * (neg_below + 0.5 * f_here)
        neg_below += f_here
        i = j
    return area / (tp_total * fp_total)


def evaluate(model, rows, ctx):
    model.eval()
    scores = []
    with torch.no_grad():
        for x, _, _ in batches(rows, 1024, ctx):
            scores += model(*x).tolist()
    pos = [r[1] for r in rows]
    n = [r[2] for r in rows]
    visits = sum(n)
    eps = 1e-7
    logloss = -sum(p * math.log(max(s, eps)) + (c - p) * math.log(max(1 - s, eps)) for s, p, c in zip(scores, pos, n)) / visits
    brier = sum(p * (1 - s) ** 2 + (c - p) * s ** 2 for s, p, c in zip(scores, pos, n)) / visits
    # baseline: the training base rate per depth
    return {'states': len(rows), 'visits': visits, 'positives': sum(pos), 'logloss': logloss, 'brier': brier,
            'auc': auc(scores, pos, n)}, scores


def depth_baseline(train, rows):
    rate = {}
    for _, p, n, d in train:
        a = rate.setdefault(d, [0, 0])
        a[0] += p
        a[1] += n
    scores = [rate.get(r[3], [0, 1])[0] / max(1, rate.get(r[3], [0, 1])[1]) for r in rows]
    pos = [r[1] for r in rows]
    n = [r[2] for r in rows]
    visits = sum(n)
    eps = 1e-7
    logloss = -sum(p * math.log(max(s, eps)) + (c - p) * math.log(max(1 - s, eps)) for s, p, c in zip(scores, pos, n)) / visits
    return {'logloss': logloss, 'auc': auc(scores, pos, n), 'rateByDepth': {d: a[0] / a[1] for d, a in sorted(rate.items())}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--train', required=True, help='comma-separated JSONL files from model/valueData.ts')
    ap.add_argument('--eval', required=True, help='JSONL of held-out validation states (never trained on)')
    ap.add_argument('--out', default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument('--d', type=int, default=96)
    ap.add_argument('--layers', type=int, default=3)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--ctx', type=int, default=48)
    ap.add_argument('--epochs', type=int, default=12)
    ap.add_argument('--bs', type=int, default=256)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=20261201)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--denominator', choices=['legal', 'n'], default='legal',
                    help='visits a state is labelled over: legal paths only (default) or all paths')
    ap.add_argument('--arch', choices=['transformer', 'pairs'], default='transformer',
                    help='character / number-token transformer, or the pair network on the numbers as values')
    ap.add_argument('--hidden', type=int, default=128, help='--arch pairs: width of its MLPs')
    ap.add_argument('--tokens', choices=['chars', 'numbers'], default='chars',
                    help='read a state character by character, or one token per number (see MAX_NUMBER)')
    ap.add_argument('--time-budget', type=float, default=1200, help='seconds of training at most')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    use_tokens(args.tokens)
    global ARCH
    ARCH = args.arch
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    train = load(args.train.split(','), args.denominator)
    held = load(args.eval.split(','), args.denominator)
    overlap = {r[0] for r in train} & {r[0] for r in held}
    print(f'train: {len(train)} states, {sum(r[2] for r in train)} visits, {sum(r[1] for r in train)} positive; '
          f'eval: {len(held)} states ({len(overlap)} state texts also occur in training: same numbers reached '
          f'from other problems)', flush=True)
    model = PairValueNet(args.hidden) if args.arch == 'pairs' else ValueNet(args.d, args.layers, args.heads, args.ctx)
    params = sum(p.numel() for p in model.parameters())
    print(f'model: {params} parameters', flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    other = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': other, 'weight_decay': 0.0}],
                            lr=args.lr, betas=(0.9, 0.98))
    steps_per_epoch = math.ceil(len(train) / args.bs)
    total = steps_per_epoch * args.epochs
    warm = min(200, total // 10)
    visits = sum(r[2] for r in train)
    log = {'args': vars(args), 'parameters': params, 'trainStates': len(train), 'trainVisits': visits,
           'trainPositives': sum(r[1] for r in train), 'evalStates': len(held), 'epochs': []}
    log['depthBaseline'] = depth_baseline(train, held)
    print(f"depth-only baseline on eval: logloss {log['depthBaseline']['logloss']:.4f} auc {log['depthBaseline']['auc']}", flush=True)
    t0 = time.time()
    step = 0
    for epoch in range(args.epochs):
        model.train()
        tot = 0.0
        for x, pos, n in batches(train, args.bs, args.ctx, rng):
            lr = args.lr * (step / max(1, warm) if step < warm else 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm))))
            for g in opt.param_groups:
                g['lr'] = lr
            loss = binomial_nll(model.logits(*x), pos, n) / n.sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tot += loss.item() * n.sum().item()
            step += 1
        metrics, _ = evaluate(model, held, args.ctx)
        entry = {'epoch': epoch + 1, 'step': step, 'trainLogloss': tot / visits, 'seconds': time.time() - t0, **metrics}
        log['epochs'].append(entry)
        print(f"epoch {epoch + 1}: train logloss {entry['trainLogloss']:.4f}, eval logloss {metrics['logloss']:.4f} "
              f"brier {metrics['brier']:.4f} auc {metrics['auc']:.4f}, {entry['seconds']:.0f} s", flush=True)
        if time.time() - t0 > args.time_budget:
            print('time budget reached', flush=True)
            break
    export(model, args.out, args.ctx)
    with open(os.path.join(args.out, 'train_value_log.json'), 'w') as f:
        json.dump(log, f, indent=1)
        f.write('\n')


CHECK_STATES = ['2, 7, 15 > 24', '3, 8 > 24', '4, 7 > 24', '2, 22 > 24', '1, 2, 3, 4 > 10', '6, 25, 250 > 99',
                '5, 9000 > 17', '13 > 24']


def export(model, out, ctx):
    model.eval()
    path = os.path.join(out, 'countdown-value.onnx')
    if ARCH == 'pairs':
        example = numeric_inputs(['2, 7, 15 > 24', '24 > 24'])
        torch.onnx.export(model, example, path, input_names=['numbers', 'mask', 'target'], output_names=['value'],
                          opset_version=14, do_constant_folding=True,
                          dynamic_axes={'numbers': {0: 'batch'}, 'mask': {0: 'batch'}, 'target': {0: 'batch'},
                                        'value': {0: 'batch'}})
    else:
        a, b = encode('2, 7, 15 > 24', ctx), encode('24 > 24', ctx)
        x = torch.tensor([a, b + [PAD] * (len(a) - len(b))])
        torch.onnx.export(model, (x,), path, input_names=['input_ids'], output_names=['value'], opset_version=14,
                          do_constant_folding=True, dynamic_axes={'input_ids': {0: 'batch', 1: 'seq'}, 'value': {0: 'batch'}})
    with open(path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(out, 'countdown-value.onnx.sha256'), 'w') as f:
        f.write(f'{digest}  countdown-value.onnx\n')
    if ARCH == 'pairs':
        meta = {'format': 'metacot-countdown-value/1', 'arch': 'pairs', 'slots': SLOTS, 'hidden': model.cfg['hidden'],
                'stateFormat': 'the remaining numbers (sorted ascending) in the first slots of `numbers`, 0 after '
                               'them; `mask` 1 for a number, 0 for an empty slot; `target` the target',
                'inputs': {'numbers': f'float32 [batch, {SLOTS}]', 'mask': f'float32 [batch, {SLOTS}]',
                           'target': 'float32 [batch]'},
                'outputs': {'value': 'float32 [batch], in (0, 1)'}}
    else:
        numbers = VOCAB is NUMBER_VOCAB
        meta = {'format': 'metacot-countdown-value/1', 'tokens': VOCAB, 'pad': PAD, 'cls': CLS, 'ctx': ctx,
                'tokenize': 'numbers' if numbers else 'chars', **({'big': STOI['<big>']} if numbers else {}),
                'd': model.cfg['d'], 'layers': model.cfg['layers'], 'heads': model.cfg['heads'],
                'stateFormat': ('<cls> {each remaining number, sorted ascending, as its own token (<big> above '
                                f'{MAX_NUMBER})}} > {{target}}, right-padded with <pad>') if numbers else
                               '<cls>{remaining numbers sorted ascending, joined by ", "} > {target}, right-padded with <pad>',
                'inputs': {'input_ids': 'int64 [batch, seq]'}, 'outputs': {'value': 'float32 [batch], in (0, 1)'}}
    # what torch scores for a few states, so the runtime's scores can be checked against the trained model's
    with torch.no_grad():
        x = numeric_inputs(CHECK_STATES) if ARCH == 'pairs' else (torch.tensor(
            [e + [PAD] * (ctx - len(e)) for e in (encode(t, ctx) for t in CHECK_STATES)]),)
        meta['check'] = {'states': CHECK_STATES, 'values': [round(v, 7) for v in model(*x).tolist()]}
    with open(os.path.join(out, 'countdown-value.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print(f'exported {path} ({os.path.getsize(path) / 1e6:.2f} MB) sha256 {digest}', flush=True)


if __name__ == '__main__':
    main()
