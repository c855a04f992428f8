/**
 * Bounds that keep a hostile or broken file from exhausting memory or time.
 * They are far above anything a real CNN in a browser needs (ResNet-50 has ~180 nodes).
 */
export const LIMITS = {
  /** Bytes (UTF-16 code units for text) of one graph file. */
  maxFileBytes: 10 * 1024 * 1024,
  maxNodes: 5000,
  maxEdges: 20000,
  /** Nesting depth of the JSON document. */
  maxDepth: 32,
  maxIdLength: 64,
  /** Block definitions in one file, inputs of one block, params of one block. */
  maxBlocks: 500,
  maxBlockInputs: 16,
  maxBlockParams: 32,
  /** Largest |x| or |y| of a node's position on the canvas. */
  maxCoordinate: 1e7,
  maxNameLength: 200,
  maxDescriptionLength: 20000,
  /** Values in one activation tensor (per sample) before a graph is called too large for a browser. */
  maxTensorElements: 2 ** 28,
  /** Total weights of a model before it is called too large for a browser. */
  maxParams: 2 ** 30,
} as const;
