#!/usr/bin/python3
"""Train the embedded Countdown step policy and export it to ONNX.

Run with Debian's interpreter (python3-torch 1.13, CPU), one thread:

    /usr/bin/python3 model/train_countdown.py          # defaults = the shipped model

What it does (see model/README.md, the model card):
  1. Generates Countdown problems (4 numbers in 1..25, a target in 10..100 that some sequence of + - * / reaches,
     the target is not one of the numbers). A seeded split puts 200 test and 200 validation problems aside
     (model/heldout.json); no training problem shares its multiset of numbers with a held-out problem.
  2. Writes each training example in the Countdown text format of docs/CONTRACTS.md, one step per line:
         3, 5, 7, 2 > 24                         <- model-side prompt (numbers > target)
         5 * 3 = 15 (left: 7, 2, 15)
         15 + 7 = 22 (left: 2, 22)
         22 + 2 = 24 (left: 24)
         Answer: ((5 * 3) + 7) + 2 = 24
     Steps are sampled as a noisy policy: with probability --noise a step is a random legal operation that does
     NOT keep the target reachable ("legal but useless"); otherwise a uniformly chosen step that keeps the target
     reachable. Once a state is a dead end, steps are random legal operations. A path that runs out of numbers
     ends with an honest `Answer: <expression> = <its value>` (which a checker rejects). So the model learns a
     step *distribution* with a sizeable share of useless moves: greedy decoding is weak-ish and
     sample-and-verify search helps.
  3. Trains a small character-level GPT (pre-LN, learned positions, tied embeddings) on the step tokens only
     (the prompt line is not in the loss).
  4. Exports an ONNX graph with a key/value cache: inputs `input_ids` [B, T] int64 and `past` [B, 2L, H, P, Dh]
     float32; outputs `logits` [B, T, V] and `present` [B, 2L, H, P+T, Dh]. P = 0 (an empty past) for the prefill.
     Writes vocab.json (tokenizer + shapes), the .onnx, and its SHA-256 in countdown-policy.onnx.sha256.
"""
import argparse
import hashlib
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# ----------------------------------------------------------------------------------------------------------------
# Countdown game (the same rules as the TypeScript side: src/core/embedded/countdown.ts)

NUM_MIN, NUM_MAX = 1, 25
TARGET_MIN, TARGET_MAX = 10, 100
MAX_NOISE_RESULT = 1000  # noise steps avoid huge products (still legal; keeps the arithmetic learnable)


def legal_ops(nums):
    """All legal operations on a list of numbers: (a, op, b, result), larger operand first, deduplicated."""
    seen = set()
    out = []
    n = len(nums)
    for i in range(n):
        for j in range(i + 1, n):
            hi, lo = (nums[i], nums[j]) if nums[i] >= nums[j] else (nums[j], nums[i])
            cands = [(hi, '+', lo, hi + lo), (hi, '*', lo, hi * lo)]
            if hi > lo:
                cands.append((hi, '-', lo, hi - lo))
            if lo > 0 and hi % lo == 0:
                cands.append((hi, '/', lo, hi // lo))
            for c in cands:
                if c not in seen:
                    seen.add(c)
                    out.append(c)
    return out


def remove_first(items, value, key=lambda x: x):
    for k, it in enumerate(items):
        if key(it) == value:
            return items[:k] + items[k + 1:]
    raise ValueError(value)


def apply_op(entries, op):
    """entries: list of (value, expression, is_atom). Removes the first occurrence of each operand, appends result."""
    a, sym, b, r = op
    ea = next(e for e in entries if e[0] == a)
    rest = remove_first(entries, a, key=lambda e: e[0])
    eb = next(e for e in rest if e[0] == b)
    rest = remove_first(rest, b, key=lambda e: e[0])
    wrap = lambda e: e[1] if e[2] else '(' + e[1] + ')'
    return rest + [(r, wrap(ea) + ' ' + sym + ' ' + wrap(eb), False)]


def step_line(op, entries_after):
    a, sym, b, r = op
    return f"{a} {sym} {b} = {r} (left: {', '.join(str(e[0]) for e in entries_after)})"


class Solver:
    """Memoised reachability of a target from a multiset of numbers (the target must be the result of a step)."""

    def __init__(self, target):
        self.target = target
        self.memo = {}

    def solvable(self, nums):
        key = tuple(sorted(nums))
        if key in self.memo:
            return self.memo[key]
        ok = False
        if len(nums) >= 2:
            for op in legal_ops(list(key)):
                if op[3] == self.target:
                    ok = True
                    break
                rest = list(key)
                rest.remove(op[0])
                rest.remove(op[2])
                if self.solvable(rest + [op[3]]):
                    ok = True
                    break
        self.memo[key] = ok
        return ok


def reachable_results(nums, acc=None):
    if acc is None:
        acc = set()
    for op in legal_ops(nums):
        acc.add(op[3])
        rest = list(nums)
        rest.remove(op[0])
        rest.remove(op[2])
        rest.append(op[3])
        if len(rest) >= 2:
            reachable_results(rest, acc)
    return acc


def sample_problem(rng):
    while True:
        nums = [rng.randint(NUM_MIN, NUM_MAX) for _ in range(4)]
        targets = sorted(t for t in reachable_results(nums) if TARGET_MIN <= t <= TARGET_MAX and t not in nums)
        if targets:
            return nums, rng.choice(targets)


def prompt_line(nums, target):
    return f"{', '.join(map(str, nums))} > {target}"


def problem_text(nums, target):
    """The problem as docs/CONTRACTS.md renders it."""
    return f"Use the numbers {', '.join(map(str, nums))} to reach {target}. Use + - * / and each number at most once."


def sample_path(nums, target, solver, rng, noise):
    """A noisy step-policy trajectory: list of lines (steps, then the Answer line). Returns (lines, solved)."""
    entries = [(v, str(v), True) for v in nums]
    lines = []
    while True:
        values = [e[0] for e in entries]
        ops = legal_ops(values)
        good, bad = [], []
        for op in ops:
            rest = list(values)
            rest.remove(op[0])
            rest.remove(op[2])
            if op[3] == target or solver.solvable(rest + [op[3]]):
                good.append(op)
            elif op[3] <= MAX_NOISE_RESULT:
                bad.append(op)
        if good and (not bad or rng.random() >= noise):
            op = rng.choice(good)
        elif bad:
            op = rng.choice(bad)
        else:
            op = rng.choice(ops)
        entries = apply_op(entries, op)
        lines.append(step_line(op, entries))
        if op[3] == target:
            lines.append(f"Answer: {entries[-1][1]} = {target}")
            return lines, True
        if len(entries) == 1:
            lines.append(f"Answer: {entries[-1][1]} = {entries[-1][0]}")
            return lines, False


# ----------------------------------------------------------------------------------------------------------------
# Tokenizer (characters)

SPECIALS = ['<pad>', '<bos>']
CHARS = list("\n 0123456789+-*/=(),:>") + sorted(set("left") | set("Answer"))
VOCAB = SPECIALS + CHARS
STOI = {c: i for i, c in enumerate(VOCAB)}
PAD, BOS = 0, 1


def encode(s):
    return [STOI[c] for c in s]


# ----------------------------------------------------------------------------------------------------------------
# Model


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

    def forward(self, x, mask, pk=None, pv=None):
        B, T, D = x.shape
        H = self.h
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q = q.view(B, T, H, D // H).transpose(1, 2)
        k = k.view(B, T, H, D // H).transpose(1, 2)
        v = v.view(B, T, H, D // H).transpose(1, 2)
        if pk is not None:
            k = torch.cat([pk, k], dim=2)
            v = torch.cat([pv, v], dim=2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D // H))
        att = att.masked_fill(~mask, float('-inf'))
        y = F.softmax(att, dim=-1) @ v
        y = y.transpose(1, 2).reshape(B, T, D)
        x = x + self.proj(y)
        x = x + self.out(F.gelu(self.fc(self.ln2(x))))
        return x, k, v


class GPT(nn.Module):
    def __init__(self, vocab, d, layers, heads, ctx):
        super().__init__()
        self.cfg = dict(vocab=vocab, d=d, layers=layers, heads=heads, ctx=ctx)
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.lnf = nn.LayerNorm(d)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, idx):
        B, T = idx.shape
        x = self.tok(idx) + self.pos(torch.arange(T))
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        for blk in self.blocks:
            x, _, _ = blk(x, mask)
        return self.lnf(x) @ self.tok.weight.t()


class KVStep(nn.Module):
    """ONNX-export wrapper: one incremental decoding step with an explicit key/value cache."""

    def __init__(self, gpt):
        super().__init__()
        self.g = gpt

    def forward(self, input_ids, past):
        g = self.g
        T = input_ids.shape[1]
        P = past.shape[3]
        pos = torch.arange(T) + P
        x = g.tok(input_ids) + g.pos(pos)
        rows = torch.arange(T).unsqueeze(1) + P
        cols = torch.arange(P + T).unsqueeze(0)
        mask = cols <= rows
        presents = []
        for l, blk in enumerate(g.blocks):
            x, k, v = blk(x, mask, past[:, 2 * l], past[:, 2 * l + 1])
            presents += [k, v]
        logits = g.lnf(x) @ g.tok.weight.t()
        return logits, torch.stack(presents, dim=1)


# ----------------------------------------------------------------------------------------------------------------
# Data


def make_split(seed, n_test, n_val):
    rng = random.Random(seed)
    test, val, seen = [], [], set()
    while len(test) < n_test or len(val) < n_val:
        nums, target = sample_problem(rng)
        key = tuple(sorted(nums))
        if key in seen:
            continue
        seen.add(key)
        (test if len(test) < n_test else val).append({'numbers': nums, 'target': target})
    return test, val, seen


def example_tokens(nums, target, lines):
    prompt = [BOS] + encode(prompt_line(nums, target) + '\n')
    body = encode(''.join(l + '\n' for l in lines))
    ids = prompt + body
    tgt = [-1] * (len(prompt) - 1) + body + [-1]
    return ids, tgt


class Stream:
    def __init__(self, seed, heldout_keys, noise, pool_size):
        self.rng = random.Random(seed)
        self.heldout = heldout_keys
        self.noise = noise
        self.pool = []
        self.pool_size = pool_size
        self.served = 0
        self.problems = 0

    def _new_problem(self):
        while True:
            nums, target = sample_problem(self.rng)
            if tuple(sorted(nums)) not in self.heldout:
                self.problems += 1
                return nums, target, Solver(target)

    def batch(self, bs):
        """Each problem is used for a few noisy paths (its solver memo is reused), then replaced."""
        xs, ys = [], []
        for _ in range(bs):
            if len(self.pool) < self.pool_size:
                self.pool.append([*self._new_problem(), 0])
            k = self.rng.randrange(len(self.pool))
            nums, target, solver, uses = self.pool[k]
            lines, _ = sample_path(nums, target, solver, self.rng, self.noise)
            ids, tgt = example_tokens(nums, target, lines)
            xs.append(ids)
            ys.append(tgt)
            self.pool[k][3] += 1
            if self.pool[k][3] >= 4:
                self.pool[k] = [*self._new_problem(), 0]
        T = max(len(x) for x in xs)
        X = torch.full((bs, T), PAD, dtype=torch.long)
        Y = torch.full((bs, T), -1, dtype=torch.long)
        for i, (x, y) in enumerate(zip(xs, ys)):
            X[i, :len(x)] = torch.tensor(x)
            Y[i, :len(y)] = torch.tensor(y)
        self.served += bs
        return X, Y


# ----------------------------------------------------------------------------------------------------------------
# Evaluation (greedy, python side; the Node benchmark is the reference measurement)


def check_answer(line, nums, target):
    if not line.startswith('Answer: '):
        return False
    expr = line[len('Answer: '):]
    if '=' in expr:
        expr, claimed = expr.rsplit('=', 1)
        if claimed.strip() != str(target):
            return False
    import re
    used = [int(t) for t in re.findall(r'\d+', expr)]
    pool = list(nums)
    for u in used:
        if u not in pool:
            return False
        pool.remove(u)
    if not re.fullmatch(r'[\d+\-*/() ]+', expr):
        return False
    try:
        val = eval(expr, {'__builtins__': {}}, {})
    except Exception:
        return False
    return abs(val - target) < 1e-9


@torch.no_grad()
def greedy_solve_rate(model, problems, ctx):
    model.eval()
    step = KVStep(model)
    L, H = model.cfg['layers'], model.cfg['heads']
    Dh = model.cfg['d'] // H
    ok = 0
    for p in problems:
        ids = [BOS] + encode(prompt_line(p['numbers'], p['target']) + '\n')
        past = torch.zeros(1, 2 * L, H, 0, Dh)
        inp = torch.tensor([ids])
        out = ''
        while len(ids) < ctx:
            logits, past = step(inp, past)
            nxt = int(logits[0, -1].argmax())
            ids.append(nxt)
            inp = torch.tensor([[nxt]])
            if nxt < len(SPECIALS):
                break
            out += VOCAB[nxt]
            if out.endswith('\n') and out.rstrip('\n').split('\n')[-1].startswith('Answer:'):
                break
        last = out.rstrip('\n').split('\n')[-1]
        ok += check_answer(last, p['numbers'], p['target'])
    model.train()
    return ok / len(problems)


# ----------------------------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument('--seed', type=int, default=20250105)
    ap.add_argument('--split-seed', type=int, default=4682)
    ap.add_argument('--steps', type=int, default=100000)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--d', type=int, default=128)
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--ctx', type=int, default=256)
    ap.add_argument('--noise', type=float, default=0.35)
    ap.add_argument('--eval-every', type=int, default=750)
    ap.add_argument('--time-budget', type=float, default=2700,
                    help='seconds; when > 0 the cosine schedule follows the fraction of this wall-clock budget used and '
                         'training stops when it is spent (--steps is then only an upper bound)')
    ap.add_argument('--evals', type=int, default=5, help='with --time-budget: greedy validation evals (the last at the end)')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--bench', action='store_true', help='time 20 steps and exit')
    ap.add_argument('--resume', action='store_true',
                    help='start from checkpoint.pt (weights only; a fresh optimizer, warm-up and schedule) and append '
                         'to train_log.json as a further phase; use another --seed so the data stream differs')
    ap.add_argument('--export-only', action='store_true', help='export the saved checkpoint')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, 'checkpoint.pt')  # not committed (see .gitignore in model/)

    test, val, held_keys = make_split(args.split_seed, 200, 200)
    with open(os.path.join(args.out, 'heldout.json'), 'w') as f:
        json.dump({'splitSeed': args.split_seed, 'note': 'no training problem shares its multiset of numbers with these',
                   'test': test, 'validation': val}, f, indent=None, separators=(',', ':'))
        f.write('\n')

    model = GPT(len(VOCAB), args.d, args.layers, args.heads, args.ctx)
    nparams = sum(p.numel() for p in model.parameters())
    print(f'params {nparams:,}  vocab {len(VOCAB)}', flush=True)

    log = {'args': vars(args), 'params': nparams, 'evals': []}
    log_path = os.path.join(args.out, 'train_log.json')
    previous = []
    if args.resume:
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck['model'])
        if os.path.exists(log_path):
            with open(log_path) as f:
                old = json.load(f)
            previous = old.get('phases', [old])
        else:  # the previous phase was stopped before it wrote its log
            previous = [{'stoppedAtStep': ck['step'], 'note': 'stopped early; its stdout log is kept beside this file'}]
        print(f'resumed from {ckpt_path} (step {ck["step"]} of the previous phase)', flush=True)
    if not args.export_only:
        stream = Stream(args.seed, held_keys, args.noise, pool_size=512)
        decay, no_decay = [], []
        for n_, p in model.named_parameters():
            (decay if p.dim() >= 2 else no_decay).append(p)
        opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}],
                                lr=args.lr, betas=(0.9, 0.98))
        warm = 100 if args.time_budget > 0 else max(1, args.steps // 40)
        t0 = time.time()
        tokens = 0
        ema = None
        steps = 20 if args.bench else args.steps
        budget = args.time_budget
        last_eval = t0
        for it in range(1, steps + 1):
            frac = min(1.0, (time.time() - t0) / budget) if budget > 0 else it / steps
            lr = args.lr * min(1.0, it / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
            for g in opt.param_groups:
                g['lr'] = lr
            X, Y = stream.batch(args.batch)
            logits = model(X)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), Y.view(-1), ignore_index=-1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            tokens += int((Y >= 0).sum())
            ema = loss.item() if ema is None else 0.98 * ema + 0.02 * loss.item()
            if it % 50 == 0 or it == steps:
                el = time.time() - t0
                print(f'step {it} loss {ema:.4f} lr {lr:.2e} {el:.0f}s {tokens / el:.0f} tok/s '
                      f'problems {stream.problems}', flush=True)
            done = it == steps or (budget > 0 and time.time() - t0 >= budget)
            due = (time.time() - last_eval >= budget / max(1, args.evals)) if budget > 0 else it % args.eval_every == 0
            if (due or done) and not args.bench:
                last_eval = time.time()
                sr = greedy_solve_rate(model, val[:100], args.ctx)
                print(f'  eval step {it}: greedy solve rate on 100 validation problems {sr:.3f}', flush=True)
                log['evals'].append({'step': it, 'loss': ema, 'greedyVal100': sr, 'seconds': time.time() - t0})
                torch.save({'model': model.state_dict(), 'cfg': model.cfg, 'step': it}, ckpt_path)
            if done:
                break
        log['trainSteps'] = it
        log['trainSeconds'] = time.time() - t0
        log['trainTokens'] = tokens
        log['trainProblems'] = stream.problems
        log['trainExamples'] = stream.served
        if args.bench:
            print(f'bench: {(time.time() - t0) / steps:.3f} s/step', flush=True)
            return
        with open(log_path, 'w') as f:
            json.dump({'phases': previous + [log]} if previous else log, f, indent=1)
    else:
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck['model'])
    export(model, args.out)


def export(model, out):
    model.eval()
    L, H, d = model.cfg['layers'], model.cfg['heads'], model.cfg['d']
    Dh = d // H
    step = KVStep(model)
    onnx_path = os.path.join(out, 'countdown-policy.onnx')
    ids = torch.tensor([[BOS] + encode('3, 5, 7, 2 > 24\n')])
    past = torch.zeros(1, 2 * L, H, 0, Dh)
    # trace with a non-empty past so the shape arithmetic is recorded symbolically
    _, past1 = step(ids, past)
    torch.onnx.export(step, (ids[:, :2], past1), onnx_path, input_names=['input_ids', 'past'],
                      output_names=['logits', 'present'], opset_version=14, do_constant_folding=True,
                      dynamic_axes={'input_ids': {0: 'batch', 1: 'seq'}, 'past': {0: 'batch', 3: 'past_len'},
                                    'logits': {0: 'batch', 1: 'seq'}, 'present': {0: 'batch', 3: 'total_len'}})
    with open(onnx_path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(os.path.join(out, 'countdown-policy.onnx.sha256'), 'w') as f:
        f.write(f'{digest}  countdown-policy.onnx\n')
    vocab = {'format': 'metacot-countdown-policy/1', 'tokens': VOCAB, 'pad': PAD, 'bos': BOS,
             'layers': L, 'heads': H, 'headDim': Dh, 'ctx': model.cfg['ctx'],
             'promptFormat': '<bos>{numbers joined by ", "} > {target}\\n then one step per line',
             'inputs': {'input_ids': 'int64 [batch, seq]', 'past': 'float32 [batch, 2*layers, heads, past_len, headDim]'},
             'outputs': {'logits': 'float32 [batch, seq, vocab]', 'present': 'float32 [batch, 2*layers, heads, past_len+seq, headDim]'}}
    with open(os.path.join(out, 'vocab.json'), 'w') as f:
        json.dump(vocab, f, indent=1)
        f.write('\n')
    print(f'exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB) sha256 {digest}', flush=True)


if __name__ == '__main__':
    main()
