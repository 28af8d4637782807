#!/usr/bin/env python3
"""One-line faults in the engine's kernel branches (TESTING.md): each is applied in turn to a checkout of the
project, the engine's tests run (mvn -o test -pl engine), and the fault must make at least one test fail; the
source is restored after each. Prints one line per fault: CAUGHT or MISSED, and the tests that failed.

Usage: python3 tools/kernel-faults.py CHECKOUT [N ...]   (a scratch checkout: `git worktree add ../faults`)"""
import subprocess, sys, re, pathlib
E = 'engine/src/main/java/org/siamese4j/engine/'
FAULTS = [
 ('GEMM edge tile stores instead of accumulating (beta != 0)', E+'PackedGemm.java',
  'c[d + j] += tile[s + j];', 'c[d + j] = tile[s + j];'),
 ('GEMM C scaled by beta added instead of multiplied', E+'PackedGemm.java',
  'c[row + j] *= beta;', 'c[row + j] += beta;'),
 ('GEMM split by columns: transposed B shifted by columns, not rows', E+'PackedGemm.java',
  'int bShift = transB ? from * ldb : from;', 'int bShift = transB ? from : from;'),
 ('conv forward, several images per GEMM: every image gets the first one\'s output', E+'ConvForward.java',
  'System.arraycopy(tmp, c * cols + i * pixels, y, out, pixels);', 'System.arraycopy(tmp, c * cols, y, out, pixels);'),
 ('conv forward, one image per GEMM: every channel gets channel 0\'s bias', E+'ConvForward.java',
  'ops.biasActivate(y, out + c * pixels, pixels, bias == null ? 0f : bias[biasOff + c], relu);',
  'ops.biasActivate(y, out + c * pixels, pixels, bias == null ? 0f : bias[biasOff], relu);'),
 ('conv backward-input, col2im at stride > 1: taps overwrite instead of adding', E+'ConvBackwardInput.java',
  'dx[drow + ix] += dcol[row + c0 + t];', 'dx[drow + ix] = dcol[row + c0 + t];'),
 ('conv backward-input, full convolution with grouped images: all copied to the first image', E+'ConvBackwardInput.java',
  'System.arraycopy(tmp, c * cols + i * pixels, dx, dxOff + (img + i) * g.inSize() + c * pixels, pixels);',
  'System.arraycopy(tmp, c * cols + i * pixels, dx, dxOff + img * g.inSize() + c * pixels, pixels);'),
 ('conv backward-params, shift GEMM: the weight gradient overwritten instead of accumulated', E+'ConvBackwardParams.java',
  'wTarget[d + sh] += acc[(sh * inCp + ci) * outCp + co];', 'wTarget[d + sh] = acc[(sh * inCp + ci) * outCp + co];'),
 ('conv backward-params, shift GEMM: junk columns of dy left unzeroed', E+'ConvBackwardParams.java',
  'Arrays.fill(pd, row + ow * nr, row + pw * nr, 0f);', '// (dropped)'),
 ('conv backward-params, padded im2col: each chunk of images overwrites the last (beta 0)', E+'ConvBackwardParams.java',
  'gemm.gemmSerial(dys, colsT, outC, patch, n * pixels, 1f, 1f, wTarget, wAt, patch, ws);',
  'gemm.gemmSerial(dys, colsT, outC, patch, n * pixels, 1f, 0f, wTarget, wAt, patch, ws);'),
 ('conv backward-params, several threads: the last weight of each partial sum dropped', E+'ConvBackwardParams.java',
  'ops.add(partialWeights[p], 0, dw, dwOff, g.weightSize());', 'ops.add(partialWeights[p], 0, dw, dwOff, g.weightSize() - 1);'),
 ('conv bias gradient misses the last pixel of each plane', E+'ConvBackwardParams.java',
  'bTarget[bAt + c] += ops.sum(dy, base + c * pixels, pixels);', 'bTarget[bAt + c] += ops.sum(dy, base + c * pixels, pixels - 1);'),
 ('2x2 max pool, fast path: a tie in the bottom-left goes to its right neighbour', E+'MaxPooling.java',
  'best = (c == m) | (c != c) ? j : best;', 'best = (c == m) | (c != c) ? j + 1 : best;'),
 ('max pool, general loop: window column not scaled by the stride', E+'MaxPooling.java',
  'int row = (oy * s + dy) * w + ox * s;', 'int row = (oy * s + dy) * w + ox;'),
 ('max pool backward: overlapping windows overwrite instead of adding', E+'MaxPooling.java',
  'dx[in + argmax[out + i]] += dy[dyOff + out + i];', 'dx[in + argmax[out + i]] = dy[dyOff + out + i];'),
 ('SGD with momentum, SIMD scalar tail: the gradient step has the wrong sign', E+'SimdOps.java',
  'float vi = mu * v[vOff + i] - lr * g[gOff + i];', 'float vi = mu * v[vOff + i] + lr * g[gOff + i];'),
 ('element-wise ops split over threads: each part starts one chunk late', E+'ElementwisePasses.java',
  'int from = Parallel.rangeStart(chunks, part, parts) * 64;', 'int from = Parallel.rangeStart(chunks, part, parts) * 64 + (part > 0 ? 64 : 0);'),
 ('batch norm forward: the variance not centred on the mean', E+'BatchNormPasses.java',
  'var[c] = Math.max(0, sq / count - shiftedMean * shiftedMean);', 'var[c] = Math.max(0, sq / count);'),
 ('batch norm statistics, SIMD: the squares summed onto the sums', E+'SimdOps.java',
  'q = v.fma(v, q);', 'q = v.fma(v, s);'),
 ('batch norm forward, SIMD: y = a x + a instead of a x + b', E+'SimdOps.java',
  'FloatVector v = FloatVector.fromArray(S, x, xOff + i).mul(aV).add(bV);', 'FloatVector v = FloatVector.fromArray(S, x, xOff + i).mul(aV).add(aV);'),
 ('batch norm input gradient, SIMD: the constant term r left out', E+'SimdOps.java',
  'g.mul(pV).add(centred.mul(qV)).add(rV).intoArray(dx, dxOff + i);', 'g.mul(pV).add(centred.mul(qV)).intoArray(dx, dxOff + i);'),
]
root = pathlib.Path(sys.argv[1])
pick = [int(a) for a in sys.argv[2:]] or range(1, len(FAULTS) + 1)
for n in pick:
    what, rel, old, new = FAULTS[n - 1]
    f = root / rel
    src = f.read_text()
    assert src.count(old) == 1, (n, rel, src.count(old))
    f.write_text(src.replace(old, new))
    try:
        r = subprocess.run(['mvn', '-B', '-o', 'test', '-pl', 'engine', '-Dsurefire.printSummary=true'],
                           cwd=root, capture_output=True, text=True)
        out = r.stdout
        failed = sorted(set(re.findall(r'\[ERROR\]\s+(?:Failures|Errors)?:?\s*(\w+Test)\.(\w+)', out)))
        failed = failed or sorted(set(re.findall(r'\[ERROR\] (\w+)\.(\w+):\d+', out)))
        summary = re.findall(r'Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)\s*$', out, re.M)
        caught = r.returncode != 0
        print(f'{n:2d} | {what} | {"CAUGHT" if caught else "MISSED"} | {summary[-1] if summary else "?"} | '
              + ', '.join(f'{c}.{m}' for c, m in failed[:4]), flush=True)
    finally:
        f.write_text(src)
