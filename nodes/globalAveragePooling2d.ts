import { globalPooling2dNode } from './pooling';

export default globalPooling2dNode('globalAveragePooling2d', {
  title: 'Global Average Pooling 2D',
  summary: 'Averages each whole feature map into one number per channel.',
  explain:
    'Global average pooling replaces every channel of the map by the mean over all its positions, turning height×width×channels ' +
    'into a vector of channels values. Modern CNNs (ResNet, MobileNet) use it instead of Flatten before the classifier: it ' +
    'has no weights, works for any image size and needs far fewer parameters in the following Dense layer.',
});
