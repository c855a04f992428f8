import { globalPooling2dNode } from './pooling';

export default globalPooling2dNode('globalMaxPooling2d', {
  title: 'Global Max Pooling 2D',
  summary: 'Keeps the strongest value of each whole feature map.',
  explain:
    'Global max pooling replaces every channel of the map by its largest value anywhere, turning height×width×channels into ' +
    'a vector of channels values. Each number then says how strongly that channel\'s pattern appears somewhere in the ' +
    'image, no matter where. Like global average pooling it has no weights and can replace Flatten before the classifier.',
});
