import { pooling2dNode } from './pooling';

export default pooling2dNode('averagePooling2d', {
  title: 'Average Pooling 2D',
  summary: 'Shrinks the map by averaging the values in each window.',
  explain:
    'Average pooling slides a small window (usually 2×2, stepping 2) over every channel and replaces it with the mean of ' +
    'its values, halving the height and width. It downsamples more smoothly than max pooling, keeping how strong a ' +
    'feature is on average in a region; LeNet-5 used it between its convolutions. It has no weights to learn.',
});
