#!/usr/bin/python3
"""Train an embedded Countdown reasoning model on Stream-of-Search text from the tool's own searches (issue 19).

Run with Debian's interpreter (python3-torch 1.13, CPU), one thread:

    /usr/bin/python3 model/train_reasoner.py --layout sos  --tokens 2000000   # countdown-sos  (search, Meta-CoT)
    /usr/bin/python3 model/train_reasoner.py --layout path --tokens 2000000   # countdown-path (optimal path only)
    /usr/bin/python3 model/train_reasoner.py --star ...                       # one STaR round from countdown-sos

Data: model/data/{sos,path}.jsonl (written by model/reasonerData.ts). Each text is what
linearizeSos(tree, { stopAtGoal: true, goalAtTarget: true }) writes; the model sees `<bos>` + text + `<eos>`.
Tokenizer: greedy longest match over the phrase tokens and single characters of the contract (model/README.md).
Loss: on the generated part only (every token after the first line's newline, `<eos>` included), the same for
both layouts, so both models learn to continue the prompt `<bos>` + first line + "\n" that inference gives them.
Budget: --tokens counts the sequence positions trained on (bos..eos of every example served, prompt included),
equal for both models. Examples longer than --ctx are dropped (counted in the log).

Model and ONNX export are model/train_countdown.py's (imported, not copied): the same GPT, the same KV-cache
graph (inputs input_ids [B,T] int64, past [B,2L,H,P,Dh]; outputs logits, present), only vocabulary and sizes differ.
Writes model/countdown-<name>.onnx, .onnx.sha256 and .json (format metacot-countdown-reasoner/1).
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
from fractions import Fraction

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train_countdown as tc  # noqa: E402  (GPT, KVStep, export: the policy's model and graph)

SPECIALS = ['<pad>', '<bos>', '<eos>']
PAD, BOS, EOS = 0, 1, 2
PHRASES = ['Current State: ', ', Operations: ', 'Exploring Operation: ', ', Resulting Numbers: ', 'Generated Node #',
           'Moving to Node #', ' Operation: ', ' equal: Goal Reached', ' unequal: No Solution']
CHARS = ['\n', ' '] + list('0123456789') + list("+-*/=[](),:'#.")


class Tokenizer:
    """Greedy longest match: at each position the longest token (specials excluded) the rest of the text starts with."""

    def __init__(self, tokens):
        self.tokens = list(tokens)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.by_len = sorted((t for t in self.tokens[len(SPECIALS):]), key=len, reverse=True)
        self.max_len = max(len(t) for t in self.by_len)

    def encode(self, text):
        out, i, n = [], 0, len(text)
        while i < n:
            for L in range(min(self.max_len, n - i), 0, -1):
                k = self.index.get(text[i:i + L])
                if k is not None and k >= len(SPECIALS):
                    out.append(k)
                    i += L
                    break
            else:
                raise ValueError(f'no token for {text[i]!r} at {i}')
        return out

    def decode(self, ids):
        return ''.join(self.tokens[i] for i in ids if i >= len(SPECIALS))


def build_tokens(texts):
    """The contract's tokens, then any other character the data holds (sorted, so the vocabulary is reproducible)."""
    base = SPECIALS + PHRASES + CHARS
    left = set()
    for t in texts:
        for ph in sorted(PHRASES, key=len, reverse=True):
            t = t.replace(ph, '\0')
        left |= set(t)
    return base + sorted(left - set(CHARS) - {'\0'})


def self_check(tok, texts):
    for t in texts:
        assert tok.decode(tok.encode(t)) == t, 'tokenizer round trip failed'
    # Longest match, not first match: "Generated Node #" is one token, not "G" + ...
    assert tok.encode('Generated Node #0,1: 24:[1, 2]') [0] == tok.index['Generated Node #']
    assert tok.encode(' Operation: ') == [tok.index[' Operation: ']]


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def example(tok, text):
    """ids = <bos> text <eos>; targets only after the first line's newline (the prompt is not in the loss)."""
    ids = [BOS] + tok.encode(text) + [EOS]
    first = text.index('\n') + 1
    prompt = 1 + len(tok.encode(text[:first]))
    tgt = [-1] * (prompt - 1) + ids[prompt:] + [-1]
    return ids, tgt


def batches(examples, max_tokens, rng):
    """Length buckets: examples sorted by length, cut into batches of at most max_tokens padded positions."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
    out, cur, longest = [], [], 0
    for i in order:
        L = len(examples[i][0])
        if cur and max(longest, L) * (len(cur) + 1) > max_tokens:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, L)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def collate(examples, idx):
    T = max(len(examples[i][0]) for i in idx)
    X = torch.full((len(idx), T), PAD, dtype=torch.long)
    Y = torch.full((len(idx), T), -1, dtype=torch.long)
    for r, i in enumerate(idx):
        x, y = examples[i]
        X[r, :len(x)] = torch.tensor(x)
        Y[r, :len(y)] = torch.tensor(y)
    return X, Y


# ----------------------------------------------------------------------------------------------------------------
# Countdown rules for model output (the checker of src/core/verify/countdown.ts: each number at most once, exact)

EXPLORE_RE = re.compile(r'^Exploring Operation: (-?\d+)([-+*/])(-?\d+)=(-?\d+(?:\.\d+)?), Resulting Numbers: \[([^\]]*)\]$')
GENERATED_RE = re.compile(r'^Generated Node #([\d,]+): ')
MOVE_RE = re.compile(r'^Moving to Node #([\d,]+)$')


def nums_of(s):
    s = s.strip()
    return [] if not s else [Fraction(x.strip()) for x in s.split(',')]


def solves(text, numbers, target):
    """True when the text reaches `target` by legal operations, each on numbers the node it starts from holds."""
    states = {'0': [Fraction(n) for n in numbers]}
    cur = list(states['0'])
    pending = None
    lines = text.split('\n')
    for k, line in enumerate(lines):
        if k == 0:
            continue
        m = EXPLORE_RE.match(line)
        if m:
            a, op, b, r = Fraction(m[1]), m[2], Fraction(m[3]), Fraction(m[4])
            val = a + b if op == '+' else a - b if op == '-' else a * b if op == '*' else (a / b if b != 0 else None)
            pool = list(cur)
            if val is None or val != r or a not in pool:
                return False
            pool.remove(a)
            if b not in pool:
                return False
            pool.remove(b)
            pool.append(r)
            if sorted(pool) != sorted(nums_of(m[5])):
                return False
            pending = pool
            if r == target and k + 1 < len(lines) and lines[k + 1].endswith(' equal: Goal Reached'):
                return True
            continue
        m = GENERATED_RE.match(line)
        if m and pending is not None:
            states[m[1]] = pending
            continue
        m = MOVE_RE.match(line)
        if m:
            if m[1] not in states:
                return False
            cur = list(states[m[1]])
    return False


@torch.no_grad()
def sample(model, tok, prompt, ctx, temperature, gen):
    """One continuation of `prompt` with the KV cache (the exported graph's step), until <eos> or ctx tokens."""
    step = tc.KVStep(model)
    L, H = model.cfg['layers'], model.cfg['heads']
    Dh = model.cfg['d'] // H
    ids = [BOS] + tok.encode(prompt)
    past = torch.zeros(1, 2 * L, H, 0, Dh)
    inp = torch.tensor([ids])
    out = []
    while len(ids) < ctx:
        logits, past = step(inp, past)
        z = logits[0, -1]
        nxt = int(z.argmax()) if temperature <= 0 else int(torch.multinomial(F.softmax(z / temperature, -1), 1, generator=gen))
        if nxt == EOS or nxt < len(SPECIALS):
            break
        ids.append(nxt)
        out.append(nxt)
        inp = torch.tensor([[nxt]])
    return prompt + tok.decode(out)


@torch.no_grad()
def sample_batch(model, tok, prompts, ctx, temperature, gen):
    """Continuations of prompts of one token length, side by side (no padding needed); each row ends at its <eos>."""
    step = tc.KVStep(model)
    L, H = model.cfg['layers'], model.cfg['heads']
    Dh = model.cfg['d'] // H
    enc = [[BOS] + tok.encode(p) for p in prompts]
    assert len({len(e) for e in enc}) == 1, 'prompts of one token length'
    past = torch.zeros(len(enc), 2 * L, H, 0, Dh)
    inp = torch.tensor(enc)
    outs = [[] for _ in enc]
    done = [False] * len(enc)
    n = len(enc[0])
    while n < ctx and not all(done):
        logits, past = step(inp, past)
        z = logits[:, -1]
        nxt = z.argmax(-1) if temperature <= 0 else torch.multinomial(F.softmax(z / temperature, -1), 1, generator=gen).squeeze(1)
        for r, t in enumerate(nxt.tolist()):
            if done[r]:
                continue
            if t < len(SPECIALS):
                done[r] = True
            else:
                outs[r].append(t)
        inp = nxt.unsqueeze(1)
        n += 1
    return [p + tok.decode(o) for p, o in zip(prompts, outs)]


def first_line(p):
    return f"Current State: {p['target']}:[{', '.join(str(n) for n in p['numbers'])}], Operations: []"


def solve_rate(model, tok, problems, ctx, temperature=0.0, seed=0):
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    ok = sum(solves(sample(model, tok, first_line(p) + '\n', ctx, temperature, gen), p['numbers'], p['target']) for p in problems)
    model.train()
    return ok / max(1, len(problems))


# ----------------------------------------------------------------------------------------------------------------


def export(model, tok, name, layout, training, out_dir):
    """train_countdown.export (the policy's graph) into a scratch folder, then our names and meta."""
    scratch = tempfile.mkdtemp(prefix='reasoner-export-')
    # export traces with the policy's example prompt; any in-vocabulary ids of the same length do.
    saved = tc.encode
    tc.encode = lambda s: [len(SPECIALS)] * len(s)
    try:
        tc.export(model, scratch)
    finally:
        tc.encode = saved
    onnx_path = os.path.join(out_dir, f'countdown-{name}.onnx')
    shutil.move(os.path.join(scratch, 'countdown-policy.onnx'), onnx_path)
    shutil.rmtree(scratch, ignore_errors=True)
    with open(onnx_path, 'rb') as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    with open(onnx_path + '.sha256', 'w') as f:
        f.write(f'{digest}  countdown-{name}.onnx\n')
    L, H, d = model.cfg['layers'], model.cfg['heads'], model.cfg['d']
    meta = {'format': 'metacot-countdown-reasoner/1', 'name': f'countdown-{name}', 'layout': layout,
            'tokens': tok.tokens, 'pad': PAD, 'bos': BOS, 'eos': EOS,
            'layers': L, 'heads': H, 'headDim': d // H, 'ctx': model.cfg['ctx'],
            'inputs': {'input_ids': 'int64 [batch, seq]', 'past': 'float32 [batch, 2*layers, heads, past_len, headDim]'},
            'outputs': {'logits': 'float32 [batch, seq, vocab]', 'present': 'float32 [batch, 2*layers, heads, past_len+seq, headDim]'},
            'training': training}
    with open(os.path.join(out_dir, f'countdown-{name}.json'), 'w') as f:
        json.dump(meta, f, indent=1)
        f.write('\n')
    print(f'exported {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB) sha256 {digest}', flush=True)
    return digest


def train(model, examples, args, budget_tokens, lr, rng, log_every=20, label=''):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}],
                            lr=lr, betas=(0.9, 0.98))
    t0 = time.time()
    seen = 0
    loss_tokens = 0
    ema = None
    it = 0
    epochs = 0
    curve = []
    warm = 30
    while seen < budget_tokens:
        epochs += 1
        for idx in batches(examples, args.batch_tokens, rng):
            if seen >= budget_tokens:
                break
            it += 1
            frac = min(1.0, seen / budget_tokens)
            cur_lr = lr * min(1.0, it / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
            for g in opt.param_groups:
                g['lr'] = cur_lr
            X, Y = collate(examples, idx)
            logits = model(X)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), Y.view(-1), ignore_index=-1)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            seen += sum(len(examples[i][0]) for i in idx)
            loss_tokens += int((Y >= 0).sum())
            ema = loss.item() if ema is None else 0.95 * ema + 0.05 * loss.item()
            if it % log_every == 0:
                el = time.time() - t0
                print(f'{label}step {it} epoch {epochs} loss {ema:.4f} lr {cur_lr:.2e} tokens {seen} '
                      f'{el:.0f}s {seen / max(el, 1e-9):.0f} tok/s', flush=True)
                curve.append({'step': it, 'tokens': seen, 'loss': round(ema, 4), 'seconds': round(el, 1)})
            if args.bench and it >= 10:
                el = time.time() - t0
                print(f'bench: {seen / el:.0f} tokens/s ({it} steps, {el:.1f}s, batch_tokens {args.batch_tokens}, ctx {args.ctx})', flush=True)
                return None
    return {'steps': it, 'epochs': round(seen / sum(len(x) for x, _ in examples), 2), 'tokensSeen': seen,
            'lossTokens': loss_tokens, 'finalLoss': round(ema, 4), 'seconds': round(time.time() - t0, 1), 'curve': curve}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--layout', choices=['sos', 'path'], default='sos')
    ap.add_argument('--name', help='model name after countdown- (default: the layout)')
    ap.add_argument('--data', default=os.path.join(HERE, 'data'))
    ap.add_argument('--out', default=HERE)
    ap.add_argument('--tokens', type=int, default=2_000_000, help='training positions (bos..eos of each example served)')
    ap.add_argument('--ctx', type=int, default=2048)
    ap.add_argument('--d', type=int, default=128)
    ap.add_argument('--layers', type=int, default=4)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--batch-tokens', type=int, default=8192, help='padded positions per batch')
    ap.add_argument('--lr', type=float, default=2e-3)
    ap.add_argument('--seed', type=int, default=19)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--eval', type=int, default=0, help='greedy solve rate on this many held-out validation problems at the end')
    ap.add_argument('--bench', action='store_true', help='time 10 steps and exit')
    ap.add_argument('--resume', action='store_true', help='a further phase from the checkpoint in --ckpt-dir (meta keeps every phase)')
    ap.add_argument('--ckpt-dir', default='/tmp/i19-reasoner-ckpt', help='PyTorch checkpoints (not shipped; STaR starts from countdown-sos.pt there)')
    ap.add_argument('--fixture', help='write the tokenizer fixture (texts and their ids) to this file and exit')
    ap.add_argument('--star', action='store_true', help='one STaR round: sample countdown-sos on --star-problems, keep its correct traces, fine-tune')
    ap.add_argument('--star-problems', default=os.path.join(HERE, 'data', 'star-problems.jsonl'))
    ap.add_argument('--star-samples', type=int, default=1)
    ap.add_argument('--star-batch', type=int, default=16)
    ap.add_argument('--star-temperature', type=float, default=0.7)
    ap.add_argument('--star-seconds', type=float, default=900, help='sampling time cap')
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    rng = random.Random(args.seed)
    t_start = time.time()

    # One vocabulary for both layouts (built from both files), so the two models differ only in what they saw.
    sos = load(os.path.join(args.data, 'sos.jsonl'))
    path = load(os.path.join(args.data, 'path.jsonl'))
    tok = Tokenizer(build_tokens([r['text'] for r in sos + path]))
    self_check(tok, [r['text'] for r in sos[:200] + path[:200]])

    if args.fixture:
        return write_fixture(args.fixture, tok, sos, path)
    if args.star:
        return star(args, tok, rng, sos)

    rows = sos if args.layout == 'sos' else path
    examples, dropped = [], 0
    for r in rows:
        ex = example(tok, r['text'])
        if len(ex[0]) > args.ctx:
            dropped += 1
        else:
            examples.append(ex)
    lens = sorted(len(x) for x, _ in examples)
    print(f'{args.layout}: {len(examples)} examples ({dropped} longer than ctx {args.ctx} dropped), '
          f'length median {lens[len(lens) // 2]} max {lens[-1]}, {sum(lens)} positions per epoch; vocab {len(tok.tokens)}', flush=True)

    name = args.name or args.layout
    model = tc.GPT(len(tok.tokens), args.d, args.layers, args.heads, args.ctx)
    previous = []
    if args.resume:
        # a further phase on the same model: fresh optimizer and schedule, the previous phases kept in the meta
        ck = torch.load(os.path.join(args.ckpt_dir, f'countdown-{name}.pt'))
        assert ck['tokens'] == tok.tokens and ck['cfg'] == model.cfg, 'checkpoint of another vocabulary or size'
        model.load_state_dict(ck['model'])
        with open(os.path.join(args.out, f'countdown-{name}.json')) as f:
            old = json.load(f)['training']
        previous = old.get('phases', [old])
        print(f'resumed countdown-{name} after {sum(p["tokensSeen"] for p in previous)} tokens', flush=True)
    nparams = sum(p.numel() for p in model.parameters())
    print(f'params {nparams:,}', flush=True)
    summary = train(model, examples, args, args.tokens, args.lr, rng, label=f'[{args.layout}] ')
    if summary is None:
        return
    held = json.load(open(os.path.join(HERE, 'heldout.json')))
    training = {'data': f'model/data/{args.layout}.jsonl', 'examples': len(examples), 'droppedLongerThanCtx': dropped,
                'positionsPerEpoch': sum(lens), 'tokenBudget': args.tokens, **summary, 'params': nparams,
                'd': args.d, 'lr': args.lr, 'batchTokens': args.batch_tokens, 'seed': args.seed, 'threads': args.threads,
                'loss': 'cross-entropy on the tokens after the first line (the prompt), <eos> included',
                'torch': torch.__version__}
    if args.eval > 0:
        t = time.time()
        training['greedyValidation'] = {'problems': args.eval, 'solveRate': solve_rate(model, tok, held['validation'][:args.eval], args.ctx),
                                        'seconds': round(time.time() - t, 1), 'note': 'python-side check; the Node benchmark is the reference'}
        print(f"greedy solve rate on {args.eval} validation problems: {training['greedyValidation']['solveRate']:.3f}", flush=True)
    training['wallSeconds'] = round(time.time() - t_start, 1)
    if previous:
        phases = previous + [training]
        training = {'phases': phases, 'tokensSeen': sum(p['tokensSeen'] for p in phases),
                    'seconds': round(sum(p['seconds'] for p in phases), 1), 'finalLoss': training['finalLoss'],
                    'data': training['data'], 'examples': training['examples'], 'params': nparams, 'seed': args.seed,
                    **({'greedyValidation': training['greedyValidation']} if 'greedyValidation' in training else {})}
    export(model, tok, name, args.layout, training, args.out)
    os.makedirs(args.ckpt_dir, exist_ok=True)
    torch.save({'model': model.state_dict(), 'cfg': model.cfg, 'tokens': tok.tokens}, os.path.join(args.ckpt_dir, f'countdown-{name}.pt'))


def write_fixture(file, tok, sos, path):
    """A few texts and their ids, so the TypeScript tokenizer can be checked against this one exactly."""
    texts = [first_line(sos[0]['problem']) + '\n', path[0]['text'], sos[0]['text'][:400], sos[-1]['text'],
             'Moving to Node #0,1\n21,15 unequal: No Solution\n', "15:[9, 12], Operations: ['6*4=24', '24/2=12'] Operation: 24/2=12"]
    cases = [{'text': t, 'ids': tok.encode(t)} for t in texts]
    os.makedirs(os.path.dirname(file), exist_ok=True)
    with open(file, 'w') as f:
        json.dump({'model': 'countdown-sos', 'note': 'ids under model/countdown-sos.json tokens (greedy longest match; no <bos>/<eos>)',
                   'tokens': tok.tokens, 'cases': cases}, f, indent=1)
        f.write('\n')
    print(f'wrote {file}: {len(cases)} cases', flush=True)


def star(args, tok, rng, sos_rows):
    """STaR (Zelikman et al. 2022) on the search model: its own correct traces on fresh training problems."""
    ck = torch.load(os.path.join(args.ckpt_dir, 'countdown-sos.pt'))
    cfg = ck['cfg']
    assert ck['tokens'] == tok.tokens, 'vocabulary differs from countdown-sos'
    model = tc.GPT(cfg['vocab'], cfg['d'], cfg['layers'], cfg['heads'], cfg['ctx'])
    model.load_state_dict(ck['model'])
    problems = load(args.star_problems)
    gen = torch.Generator().manual_seed(args.seed)
    model.eval()
    kept, tried, t0 = [], 0, time.time()
    # problems grouped by prompt length, so a batch decodes side by side
    groups = {}
    for p in problems:
        groups.setdefault(len(tok.encode(first_line(p) + '\n')), []).append(p)
    work = [g[i:i + args.star_batch] for g in groups.values() for i in range(0, len(g), args.star_batch)]
    for chunk in work:
        if time.time() - t0 > args.star_seconds:
            break
        for _ in range(args.star_samples):
            texts = sample_batch(model, tok, [first_line(p) + '\n' for p in chunk], cfg['ctx'], args.star_temperature, gen)
            for p, text in zip(chunk, texts):
                tried += 1
                if solves(text, p['numbers'], p['target']):
                    # up to the goal line, as the training texts end
                    lines = text.split('\n')
                    end = next(i for i, l in enumerate(lines) if l.endswith(' equal: Goal Reached'))
                    kept.append({'problem': p, 'text': '\n'.join(lines[:end + 1])})
        print(f'[star] sampled {tried}, kept {len(kept)}, {time.time() - t0:.0f}s', flush=True)
    sample_seconds = time.time() - t0
    print(f'[star] {len(kept)} correct of {tried} samples on {len({json.dumps(k["problem"]) for k in kept})} problems, {sample_seconds:.0f}s', flush=True)
    with open(os.path.join(args.data, 'star-kept.jsonl'), 'w') as f:
        for k in kept:
            f.write(json.dumps(k) + '\n')
    # Fine-tune on its own correct traces mixed with the original data (so it does not forget what it had).
    examples = [example(tok, k['text']) for k in kept]
    examples += [example(tok, r['text']) for r in sos_rows]
    examples = [e for e in examples if len(e[0]) <= cfg['ctx']]
    model.train()
    summary = train(model, examples, args, args.tokens, args.lr, rng, label='[star] ')
    training = {'base': 'countdown-sos', 'starProblems': os.path.relpath(args.star_problems, os.path.dirname(HERE)),
                'samplesTried': tried, 'correctKept': len(kept), 'temperature': args.star_temperature,
                'samplingSeconds': round(sample_seconds, 1), 'fineTune': {'examples': len(examples), 'tokenBudget': args.tokens, **summary},
                'seed': args.seed, 'lr': args.lr}
    export(model, tok, 'sos-star', 'sos', training, args.out)


if __name__ == '__main__':
    main()
