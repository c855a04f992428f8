/**
 * PyTorch export: `model.py` (an nn.Module whose forward follows the graph, and load_model()),
 * `train.py` (single process or torchrun with DistributedDataParallel) and `model.safetensors`
 * (the trained weights, converted to PyTorch names and layouts).
 *
 * Each node type describes its own module, forward step and weight conversion
 * (NodeDef.pytorch, see nodes/types.ts and nodes/codegen.ts); this module walks the graph,
 * converts the weights and assembles the files. Pure TypeScript: runs in the browser and in Node.
 *
 * Layout convention of the generated code: maps are N×C×H×W (PyTorch's NCHW) between nodes,
 * vectors N×C; the module takes NCHW images.
 */
import { pyTuple } from '../../nodes/codegen';
import type { Shape, TorchWeight } from '../../nodes/types';
import { torchWeights } from '../../nodes/weight-layout';
import type { GraphDoc } from '../graph/types';
import { augmentationText, codeGraph, resolveTraining, type CodeGraph, type CodeNode } from './codegraph';
import { docstringText, pythonClassName, wrap } from './python';
import { encodeSafetensors, type SafetensorsTensor } from './safetensors';
import { trainScript } from './pytorch-train';
import { checkPoolUsed, takeWeight, weightPool } from './take-weight';
import type { ExportFile, NamedWeight } from './types';

export const PYTORCH_FILES = { model: 'model.py', train: 'train.py', weights: 'model.safetensors' } as const;

export { transposeData } from './take-weight';


/** The PyTorch tensors of one node from its tfjs weights (consumed from `byName`). */
function convertWeights(n: CodeNode, specs: TorchWeight[], byName: Map<string, NamedWeight>): SafetensorsTensor[] {
  return specs.map((spec) => {
    const name = `${n.name}.${spec.torch}`;
    if (spec.tf === undefined) {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      return { name, shape: [...spec.shape], data: new Float32Array(size).fill(spec.fill ?? 0) };
    }
    const t = takeWeight(n, { tf: spec.tf, shape: spec.shape, permute: spec.permute, reshape: spec.reshape }, byName, 'PyTorch');
    // Copy when nothing was moved, so the file never aliases the caller's array.
    return { name, shape: t.shape, data: t.moved ? t.data : t.data.slice() };
  });
}

/** "(N, 6, 28, 28)": a per-sample TensorFlow shape as the PyTorch tensor's shape. */
export function torchShape(s: Shape): string {
  return pyTuple(['N', ...(s.length === 3 ? [s[2]!, s[0]!, s[1]!] : s)]);
}

/** The Python lines of the module's forward(), and whether it ends with a softmax it can skip. */
function forwardLines(g: CodeGraph): { lines: string[]; softmax: boolean } {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const lines: string[] = [];
  const out = g.output;
  const softmax = out.params.activation === 'softmax';
  for (const n of g.nodes) {
    if (n.def.role === 'input') continue;
    const isLast = n === out;
    // The output's softmax is written separately, so forward can return the scores before it.
    const params = isLast && softmax ? { ...n.params, activation: 'linear' } : n.params;
    const steps = n.def.pytorch.forward(params as never, {
      ...n.ctx,
      args: n.sources.map((s) => byId.get(s)!.name),
      module: `self.${n.name}`,
      out: n.name,
    });
    const last = steps.findLastIndex((s) => !s.startsWith('#'));
    steps.forEach((step, i) => {
      if (step.startsWith('#')) lines.push(`        ${step}`);
      // The final step of each node says the shape of its result.
      else lines.push(`        ${n.name} = ${step}${i === last ? `  # ${torchShape(n.ctx.output)}` : ''}`);
    });
  }
  if (softmax) {
    lines.push('        if return_logits:');
    lines.push(`            return ${out.name}  # the scores before the softmax (for a numerically stable loss)`);
    lines.push(`        return F.softmax(${out.name}, dim=1)`);
  } else {
    lines.push(`        return ${out.name}`);
  }
  return { lines, softmax };
}

const SAFETENSORS_IO = `def read_safetensors(path):
    """The tensors of a .safetensors file as {name: torch.Tensor}.

    Uses the safetensors package when it is installed; otherwise reads the format directly:
    8 bytes little-endian header length N, N bytes of JSON header
    {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
    then the raw little-endian data (offsets count from the end of the header).
    """
    try:
        from safetensors.torch import load_file
    except ImportError:
        pass
    else:
        return load_file(path)
    with open(path, 'rb') as f:
        data = f.read()
    (header_length,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + header_length])
    header.pop('__metadata__', None)
    start = 8 + header_length
    tensors = {}
    for name, info in header.items():
        if info['dtype'] != 'F32':
            raise ValueError(f"{path}: tensor {name} is {info['dtype']}; this reader only knows F32")
        begin, end = info['data_offsets']
        values = torch.frombuffer(bytearray(data[start + begin:start + end]), dtype=torch.float32)
        tensors[name] = values.reshape(info['shape'])
    return tensors


def write_safetensors(tensors, path, metadata=None):
    """Saves {name: tensor} as a .safetensors file of float32 tensors (the reverse of read_safetensors)."""
    tensors = {name: t.detach().to('cpu', torch.float32).contiguous() for name, t in tensors.items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        pass
    else:
        return save_file(tensors, path, metadata)
    header = {'__metadata__': metadata} if metadata else {}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        try:
            blob = t.numpy().astype('<f4').tobytes()
        except RuntimeError:  # PyTorch without NumPy
            blob = struct.pack(f'<{t.numel()}f', *t.flatten().tolist())
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b' ' * (-len(text) % 8)  # pad the header so the data starts 8-byte aligned
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text)
        for blob in blobs:
            f.write(blob)`;

/** model.py, train.py and model.safetensors for the graph and its trained tfjs weights. */
export function pytorchFiles(doc: GraphDoc, weights: NamedWeight[]): ExportFile[] {
  let g = codeGraph(doc, 'PyTorch code');
  // Module-level helper functions must not be shadowed by a node's variable in forward().
  const helperNames = () => new Set(g.nodes.flatMap((n) => Object.keys(n.def.pytorch.helpers?.(n.params as never, n.ctx) ?? {})));
  if (g.nodes.some((n) => helperNames().has(n.name))) g = codeGraph(doc, 'PyTorch code', [...helperNames()]);
  const t = resolveTraining(doc);
  const cls = pythonClassName(doc.name);
  const title = doc.name.trim() || 'The network';

  // Modules, helpers, notes.
  const init: string[] = [];
  const helpers = new Map<string, string>();
  const notes = new Set<string>();
  for (const n of g.nodes) {
    const ex = n.def.pytorch;
    const module = ex.module(n.params as never, n.ctx);
    if (module) init.push(`        self.${n.name} = ${module}`);
    for (const [name, source] of Object.entries(ex.helpers?.(n.params as never, n.ctx) ?? {})) helpers.set(name, source);
    for (const note of ex.notes ?? []) notes.add(note);
  }
  const { lines, softmax } = forwardLines(g);

  // Weights: every tfjs weight must be used exactly once.
  const byName = weightPool(weights, 'PyTorch');
  const tensors: SafetensorsTensor[] = [];
  for (const n of g.nodes) {
    tensors.push(...convertWeights(n, torchWeights(n.def, n.params as never, n.ctx), byName));
  }
  checkPoolUsed(byName, 'PyTorch');

  const inShape = g.input.ctx.output;
  const outShape = g.output.ctx.output;
  const [h, w, c] = inShape as [number, number, number];
  const outText = outShape.length === 1 ? `N×${outShape[0]}${softmax ? ' class probabilities (softmax)' : ''}` : `N×${outShape[2]}×${outShape[0]}×${outShape[1]} (NCHW)`;

  const docLines = [
    `"""${docstringText(title)} as a PyTorch module, exported from LayerLab.`,
    '',
    ...(doc.description.trim() ? [wrap(docstringText(doc.description.trim())), ''] : []),
    'Files:',
    `    ${PYTORCH_FILES.model.padEnd(18)} the network (class ${cls}, also called Model) and load_model()`,
    `    ${PYTORCH_FILES.weights.padEnd(18)} the trained weights, already in PyTorch names and layouts`,
    `    ${PYTORCH_FILES.train.padEnd(18)} trains it: python train.py --data DIR, or torchrun --nproc_per_node=2 train.py --data DIR`,
    '',
    'Use:',
    '',
    '    import torch',
    '    from model import load_model',
    '',
    `    model = load_model('${PYTORCH_FILES.weights}')  # in evaluation mode`,
    `    images = torch.rand(8, ${c}, ${h}, ${w})  # N×C×H×W, values 0-1 like LayerLab's images`,
    `    outputs = model(images)  # ${outText}`,
    '',
    wrap(
      `Layout: TensorFlow.js stores a batch of images as N×H×W×C (channels last), PyTorch as N×C×H×W. This module ` +
        `takes N×${c}×${h}×${w} images, and every map inside it is N×C×H×W; vectors are N×C in both. The exported ` +
        "weights were converted to PyTorch's names (<node>.weight, ...) and layouts:",
    ),
    ...[...notes].flatMap((note) => ['', wrap(docstringText(note))]),
    '"""',
  ];

  const model = `${docLines.join('\n')}
import json
import struct

import torch
import torch.nn.functional as F
from torch import nn

INPUT_SHAPE = ${pyTuple([c, h, w])}  # channels, height, width
OUTPUT_SHAPE = ${pyTuple(outShape.length === 3 ? [outShape[2]!, outShape[0]!, outShape[1]!] : [...outShape])}
# True when the network ends with a softmax: forward(x, return_logits=True) gives the scores before it.
OUTPUT_IS_SOFTMAX = ${softmax ? 'True' : 'False'}
${[...helpers.values()].map((src) => `\n\n${src}\n`).join('')}

class ${cls}(nn.Module):
    """N×${c}×${h}×${w} images in, ${outText} out."""

    def __init__(self):
        super().__init__()
        # One module per LayerLab node that has weights or settings, named after the node.
${init.length ? init.join('\n') : '        pass'}

    def forward(self, ${g.input.name}${softmax ? ', return_logits=False' : ''}):
${lines.join('\n')}


Model = ${cls}


${SAFETENSORS_IO}


def save_weights(model, path):
    """Saves the model's weights (float tensors of its state_dict) as a .safetensors file."""
    state = {name: t for name, t in model.state_dict().items() if t.is_floating_point()}
    write_safetensors(state, path, {'format': 'pt'})


def load_model(weights_path=None, device='cpu'):
    """The network with the weights of a .safetensors file (as exported by LayerLab), in evaluation mode."""
    model = ${cls}()
    if weights_path is not None:
        state = read_safetensors(weights_path)
        missing, unexpected = model.load_state_dict(state, strict=False)
        # BatchNorm's num_batches_tracked counter is not a weight and is not in the file.
        missing = [name for name in missing if not name.endswith('num_batches_tracked')]
        if missing or unexpected:
            raise ValueError(f'{weights_path} does not fit this model: missing {missing}, unexpected {unexpected}')
    return model.to(device).eval()
`;

  const files: ExportFile[] = [
    { name: PYTORCH_FILES.model, data: model },
    { name: PYTORCH_FILES.train, data: trainScript({ title, training: t, augmentation: augmentationText(t.augmentation), outputIsVector: outShape.length === 1 }) },
    {
      name: PYTORCH_FILES.weights,
      data: encodeSafetensors(tensors, { format: 'pt', producer: 'LayerLab', graph: doc.name, layout: 'PyTorch (NCHW, OIHW)' }),
    },
  ];
  return files;
}
