/** The one error type of reading model files (defined with the weights in src/model/weights.ts, which training shares). */
export { ModelFileError } from '../model/weights';
