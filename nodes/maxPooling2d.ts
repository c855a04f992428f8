import { pooling2dNode } from './pooling';

export default pooling2dNode('maxPooling2d', {
  title: 'Max Pooling 2D',
  summary: 'Shrinks the map by keeping the strongest value in each window.',
  explain:
    'Max pooling slides a small window (usually 2×2, stepping 2) over every channel and keeps only the largest value in it, ' +
    'halving the height and width. A CNN uses it to cut computation and to keep "is the pattern here?" while forgetting ' +
    'exactly where, which makes the features tolerant to small shifts. It has no weights to learn.',
});
