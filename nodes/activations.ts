/** Parameter specs shared by several node types. */

/** Activation functions a layer can apply to its output (tfjs activation identifiers). */
export const LAYER_ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'selu', 'sigmoid', 'tanh', 'softmax'] as const;
export type LayerActivation = (typeof LAYER_ACTIVATIONS)[number];

/** The Activation node also offers leaky ReLU, which tfjs builds as its own layer. */
export const NODE_ACTIVATIONS = [...LAYER_ACTIVATIONS, 'leakyRelu'] as const;

export const activationParam = {
  kind: 'enum',
  default: 'linear',
  options: LAYER_ACTIVATIONS,
  doc: 'Function applied to every output value; "linear" applies none.',
} as const;

/** Padding of a sliding window, as conv layers use it. */
export const windowPaddingParam = {
  kind: 'enum',
  default: 'valid',
  options: ['valid', 'same'],
  doc: '"same" pads the border so the size is kept (at stride 1); "valid" uses only full windows, shrinking the map.',
} as const;
