/** Node categories: palette group order, label and colour (node headers, diagrams, palette). */
import type { Category } from './types';

export const CATEGORIES: Readonly<Record<Category, { label: string; color: string }>> = {
  input: { label: 'Input', color: '#64748b' },
  convolution: { label: 'Convolution', color: '#2f6fde' },
  pooling: { label: 'Pooling', color: '#0d9488' },
  normalization: { label: 'Normalization', color: '#8b5cf6' },
  activation: { label: 'Activation', color: '#e26d0e' },
  regularization: { label: 'Regularization', color: '#a16207' },
  reshape: { label: 'Reshape', color: '#be4b97' },
  dense: { label: 'Dense', color: '#16a34a' },
  merge: { label: 'Merge', color: '#dc2646' },
};

export const UNKNOWN_COLOR = '#9ca3af';

export function categoryColor(category: Category | undefined): string {
  return category ? CATEGORIES[category].color : UNKNOWN_COLOR;
}
