/**
 * Python names for the code exporters: node ids become identifiers (variables, module
 * attributes), deterministically and without collisions. Pure TypeScript.
 */

const KEYWORDS = [
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type',
];

/** Built-ins a node id could shadow (harmless to Python, confusing to a reader). */
const BUILTINS = [
  'abs', 'all', 'any', 'bool', 'dict', 'dir', 'enumerate', 'filter', 'float', 'format', 'getattr', 'hasattr', 'id',
  'input', 'int', 'isinstance', 'iter', 'len', 'list', 'map', 'max', 'min', 'next', 'object', 'open', 'print', 'range',
  'round', 'set', 'setattr', 'slice', 'sorted', 'str', 'sum', 'super', 'tuple', 'vars', 'zip',
];

/**
 * Attributes of torch.nn.Module (torch 1.13 to 2.x): a submodule cannot take such a name
 * (`self.train = nn.Conv2d(...)` fails), so node ids like "train" or "eval" get a suffix.
 */
const MODULE_ATTRIBUTES = [
  'T_destination', 'add_module', 'apply', 'bfloat16', 'buffers', 'call_super_init', 'children', 'compile', 'cpu', 'cuda',
  'double', 'dump_patches', 'eval', 'extra_repr', 'float', 'forward', 'get_buffer', 'get_extra_state', 'get_parameter',
  'get_submodule', 'half', 'ipu', 'load_state_dict', 'modules', 'mtia', 'named_buffers', 'named_children',
  'named_modules', 'named_parameters', 'parameters', 'register_backward_hook', 'register_buffer',
  'register_forward_hook', 'register_forward_pre_hook', 'register_full_backward_hook',
  'register_full_backward_pre_hook', 'register_load_state_dict_post_hook', 'register_load_state_dict_pre_hook',
  'register_module', 'register_parameter', 'register_state_dict_post_hook', 'register_state_dict_pre_hook',
  'requires_grad_', 'set_extra_state', 'set_submodule', 'share_memory', 'state_dict', 'to', 'to_empty', 'train',
  'training', 'type', 'xpu', 'zero_grad',
];

/** Names the generated files use themselves (modules, arguments, helpers). */
const GENERATED = [
  'self', 'torch', 'nn', 'F', 'tf', 'keras', 'layers', 'np', 'math', 'json', 'os', 'struct', 'sys', 'argparse',
  'return_logits', 'model', 'inputs', 'outputs', 'build_model',
];

const RESERVED = new Set([...KEYWORDS, ...BUILTINS, ...MODULE_ATTRIBUTES, ...GENERATED]);

/**
 * A valid, readable Python identifier for every id, in the order given: characters other than
 * letters, digits and _ become _, a leading digit gets "layer_" in front, reserved words get a
 * trailing _, and a name already taken gets _2, _3, … (so "c-1" and "c_1" stay apart).
 */
export function pythonNames(ids: readonly string[], extraReserved: readonly string[] = []): Map<string, string> {
  const reserved = new Set([...RESERVED, ...extraReserved]);
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const id of ids) {
    let base = id.replace(/[^A-Za-z0-9_]/g, '_');
    if (base === '' || /^[0-9]/.test(base)) base = `layer_${base}`;
    // Dunder-style names are special to Python; keep them out.
    if (/^__.*__$/.test(base)) base = `layer${base}`;
    if (reserved.has(base)) base = `${base}_`;
    let name = base;
    for (let n = 2; taken.has(name) || reserved.has(name); n++) name = `${base}_${n}`;
    taken.add(name);
    out.set(id, name);
  }
  return out;
}

/** A CamelCase class name from a graph's name ("ResNet-50" -> "ResNet50"; "" -> "Net"). */
export function pythonClassName(name: string): string {
  const parts = name.split(/[^A-Za-z0-9]+/).filter(Boolean);
  let cls = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  if (!cls || /^[0-9]/.test(cls)) cls = `Net${cls}`;
  if (RESERVED.has(cls) || cls === 'Model') cls = `${cls}Net`;
  return cls;
}

/** Text inside a Python triple-quoted docstring: no backslash escapes, no closing quotes. */
export function docstringText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}

/** Wraps prose at `width` columns, each line starting with `indent`. */
export function wrap(text: string, width = 96, indent = ''): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    lines.push(indent + line);
  }
  return lines.join('\n');
}

/** A Python comment block (# …) wrapped at `width`. */
export const comment = (text: string, indent = '', width = 96): string => wrap(text, width, `${indent}# `);

/** Python (needs `os`): finds an MNIST-style IDX file in a folder, as both generated training scripts do. */
export const PY_FIND_IDX = `def find_idx(folder, name):
    """The path of an IDX file in folder ('train-images-idx3-ubyte', also '.gz' or 'train-images.idx3-ubyte')."""
    for candidate in (name, name + '.gz', name.replace('-idx', '.idx'), name.replace('-idx', '.idx') + '.gz'):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    return None`;
