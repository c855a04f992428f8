/**
 * The Python (NumPy and Pillow, no deep-learning framework) that the exported segmentation and
 * detection scripts share: the PyTorch train.py and the Keras file paste the same text, so they
 * read the same folders, encode the same targets and print the same scores as LayerLab.
 *
 * Each function is a line-by-line port of LayerLab's TypeScript, arrays channels last (H×W×C)
 * as there:
 *   read_classes, parse_yolo_labels  src/tasks/yolo.ts (parseClassNames, parseYoloLabels)
 *   pair_folder                      src/tasks/masks.ts (pairDataset: images/ beside masks/ or labels/)
 *   encode_detection_targets         src/tasks/detection.ts (encodeDetectionTargets)
 *   decode_detections                src/tasks/detection.ts (decodeDetections)
 *   box_iou, nms, all_point_ap,
 *   evaluate_detections              src/tasks/metrics.ts
 *   mask_of_output, confusion_matrix,
 *   segmentation_scores              src/tasks/segmentation.ts, metrics.ts (SegmentationAccumulator)
 * src/export/pytorch-train.test.ts runs them against the TypeScript on the same numbers.
 * Pure TypeScript (the Python is text).
 */

/** Imports the shared code needs (the scripts put them at the top). */
export const PY_TASK_IMPORTS = ['import os', '', 'import numpy as np'];

/** Reading the folders: images, masks, YOLO labels, classes.txt. Needs `INPUT_SHAPE` as (height, width, channels) passed in. */
export const PY_TASK_READERS = `IMAGE_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp', '.gif', '.webp')


def read_image(path, height, width, channels):
    """An image file as uint8 height×width×channels, stretched to the size (bilinear).

    Transparent parts are put on black, as in LayerLab. Returns None when the file is not an image.
    """
    from PIL import Image
    try:
        image = Image.open(path)
        image.load()
    except OSError:
        return None
    if image.mode in ('RGBA', 'LA', 'P'):
        image = Image.alpha_composite(Image.new('RGBA', image.size, (0, 0, 0, 255)), image.convert('RGBA'))
    image = image.convert('L' if channels == 1 else 'RGB').resize((width, height), Image.BILINEAR)
    return np.asarray(image, dtype=np.uint8).reshape(height, width, channels)


def read_mask(path, height, width):
    """A mask PNG as uint8 height×width class indices (the first channel; palette PNGs give their
    indices), resized with nearest neighbours so that no new class values appear."""
    from PIL import Image
    mask = Image.open(path)
    mask.load()
    values = np.asarray(mask)
    if values.ndim == 3:
        values = values[..., 0]
    if values.max(initial=0) > 255:
        raise SystemExit(f'{path}: mask values go up to {values.max()}; class indices must be 0 to 255.')
    mask = Image.fromarray(values.astype(np.uint8))
    return np.asarray(mask.resize((width, height), Image.NEAREST), dtype=np.uint8)


def read_classes(path):
    """classes.txt: one class name per line, blank lines skipped; None when there is no such file."""
    if not os.path.exists(path):
        return None
    with open(path, encoding='utf-8-sig') as f:
        names = [line.strip() for line in f.read().splitlines() if line.strip()]
    if len(set(names)) != len(names):
        raise SystemExit(f'{path} names a class twice; each class must have its own name.')
    if not names:
        raise SystemExit(f'{path} names no classes: write one class name per line, in the order of their indices (0 first).')
    return names


def parse_yolo_labels(text, file, num_classes):
    """A YOLO label file ("class cx cy w h" per line, fractions of the image) as
    ([(class, cx, cy, w, h)], problems). Unusable lines are skipped and reported; a box that
    reaches outside the image is clipped to it."""
    boxes, problems = [], []
    for number, raw in enumerate(text.lstrip('\\ufeff').splitlines(), start=1):
        fields = raw.split()
        if not fields:
            continue
        where = f'{file} line {number}'
        if len(fields) != 5:
            problems.append(f'{where}: expected 5 values "class cx cy w h", found {len(fields)}.')
            continue
        try:
            cls, cx, cy, w, h = (float(f) for f in fields)
        except ValueError:
            problems.append(f'{where}: "{raw.strip()}" is not five numbers.')
            continue
        if not cls.is_integer() or cls < 0 or cls >= num_classes:
            problems.append(f'{where}: the class must be a whole number from 0 to {num_classes - 1}, not {fields[0]}.')
            continue
        if not all(0 <= v <= 1 for v in (cx, cy, w, h)):
            problems.append(f'{where}: positions and sizes must be fractions of the image, from 0 to 1.')
            continue
        if w <= 0 or h <= 0:
            problems.append(f'{where}: the box has no area (width {fields[3]}, height {fields[4]}).')
            continue
        x0, x1 = max(0.0, cx - w / 2), min(1.0, cx + w / 2)
        y0, y1 = max(0.0, cy - h / 2), min(1.0, cy + h / 2)
        if (x0, x1, y0, y1) != (cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2):
            cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
        boxes.append((int(cls), cx, cy, w, h))
    return boxes, problems


def pair_folder(folder, target_folder, target_extension):
    """[(image path, target path or None)] of DIR/images and DIR/<target_folder>: an image and its
    target share their path below those folders, apart from the extension."""
    images_dir = os.path.join(folder, 'images')
    targets_dir = os.path.join(folder, target_folder)
    if not os.path.isdir(images_dir) or not os.path.isdir(targets_dir):
        raise SystemExit(f'{folder} needs an images/ folder and a {target_folder}/ folder beside it, '
                         f'with {target_extension} files of the same names.')
    pairs = []
    for root, dirs, files in os.walk(images_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.') and d != '__MACOSX')
        for file in sorted(files):
            if file.startswith('.') or not file.lower().endswith(IMAGE_EXTENSIONS):
                continue
            path = os.path.join(root, file)
            key = os.path.splitext(os.path.relpath(path, images_dir))[0]
            target = os.path.join(targets_dir, key + target_extension)
            pairs.append((path, target if os.path.exists(target) else None))
    pairs.sort()
    if not pairs:
        raise SystemExit(f'No images found in {images_dir}.')
    return pairs


def load_segmentation_folder(folder, height, width, channels, num_classes):
    """DIR/images + DIR/masks (PNG, same names; pixel value = class index, 0 = background) as
    uint8 N×H×W×C images and N×H×W masks; the class names from DIR/classes.txt when there is one."""
    names = read_classes(os.path.join(folder, 'classes.txt'))
    if names is not None and len(names) != num_classes:
        raise SystemExit(f'classes.txt names {len(names)} classes but the network tells {num_classes} apart '
                         f'(its last layer needs one channel per class{", or one sigmoid channel for two" if len(names) == 2 else ""}).')
    images, masks, bad = [], [], []
    for image_path, mask_path in pair_folder(folder, 'masks', '.png'):
        if mask_path is None:
            print(f'skipped {image_path}: it has no mask (a PNG of the same name in masks/)')
            continue
        image = read_image(image_path, height, width, channels)
        if image is None:
            print(f'skipped {image_path}: not an image')
            continue
        mask = read_mask(mask_path, height, width)
        if mask.max(initial=0) >= num_classes:
            bad.append(f'{mask_path} (values {sorted(set(np.unique(mask).tolist()) - set(range(num_classes)))})')
            continue
        images.append(image)
        masks.append(mask)
    if bad:
        hint = ' A mask of only 0 and 255 is black and white: store class indices (0, 1, …) instead.' if '255' in bad[0] else ''
        print(f'skipped {len(bad)} masks with class values of {num_classes} or more (the network tells {num_classes} classes apart): '
              + ', '.join(bad[:3]) + (f' and {len(bad) - 3} more' if len(bad) > 3 else '') + '.' + hint)
    if not images:
        raise SystemExit(f'{folder}: no usable image with its mask.')
    return np.stack(images), np.stack(masks), names or [f'class {k}' for k in range(num_classes)]


def load_detection_folder(folder, height, width, channels, num_classes):
    """DIR/images + DIR/labels (YOLO .txt, same names; an image without one has no objects) as
    uint8 N×H×W×C images and, per image, its boxes in pixels of the resized image
    [(class, x, y, w, h)] (top-left corner and size); the class names from classes.txt."""
    names = read_classes(os.path.join(folder, 'classes.txt'))
    if names is not None and len(names) != num_classes:
        raise SystemExit(f'classes.txt names {len(names)} classes but the network\\'s grid has {num_classes} class scores per cell '
                         f'(its last layer needs 5 + {len(names)} = {5 + len(names)} channels).')
    images, boxes, problems = [], [], []
    for image_path, label_path in pair_folder(folder, 'labels', '.txt'):
        image = read_image(image_path, height, width, channels)
        if image is None:
            print(f'skipped {image_path}: not an image')
            continue
        found = []
        if label_path is not None:
            with open(label_path, encoding='utf-8') as f:
                found, bad = parse_yolo_labels(f.read(), label_path, num_classes)
            problems += bad
        images.append(image)
        boxes.append([(c, (cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height) for c, cx, cy, w, h in found])
    for problem in problems[:10]:
        print('skipped', problem)
    if len(problems) > 10:
        print(f'skipped {len(problems) - 10} more label lines')
    return np.stack(images), boxes, names or [f'class {k}' for k in range(num_classes)]`;

/** Targets, decoding and scores (NumPy, channels last, as LayerLab's TypeScript). */
export const PY_TASK_METRICS = `def mask_of_output(output):
    """H×W×K probabilities (or H×W×1, a sigmoid for two classes) → H×W class indices."""
    if output.shape[-1] == 1:
        return (output[..., 0] >= 0.5).astype(np.int64)
    return output.argmax(axis=-1)


def confusion_matrix(predicted, truth, num_classes):
    """confusion[truth][predicted] pixel counts of masks of class indices."""
    index = truth.astype(np.int64).ravel() * num_classes + predicted.astype(np.int64).ravel()
    return np.bincount(index, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def segmentation_scores(confusion):
    """(mean IoU, per-class IoU, pixel accuracy) of a confusion matrix. A class in neither the
    truth nor the prediction has no IoU (None) and is left out of the mean; background counts."""
    confusion = confusion.astype(np.float64)
    tp = np.diag(confusion)
    union = confusion.sum(axis=0) + confusion.sum(axis=1) - tp
    per_class = [float(t / u) if u > 0 else None for t, u in zip(tp, union)]
    present = [v for v in per_class if v is not None]
    total = confusion.sum()
    return (sum(present) / len(present) if present else float('nan'), per_class,
            float(tp.sum() / total) if total else float('nan'))


def encode_detection_targets(boxes, rows, cols, classes, image_height, image_width):
    """The grid targets (N×rows×cols×(5 + classes) float32) of boxes in pixels, one list of
    (class, x, y, w, h) per image: objectness 1 in the cell of a box's centre, the centre inside
    the cell, the size as fractions of the image, the class one-hot. A cell holds one object: the
    larger box keeps it."""
    channels = 5 + classes
    out = np.zeros((len(boxes), rows, cols, channels), dtype=np.float32)
    for n, image_boxes in enumerate(boxes):
        area = np.zeros((rows, cols))
        for cls, x, y, w, h in image_boxes:
            cx = (x + w / 2) / image_width
            cy = (y + h / 2) / image_height
            if not (0 <= cx < 1 and 0 <= cy < 1) or not (w > 0 and h > 0):
                continue
            col = min(cols - 1, int(np.floor(cx * cols)))
            row = min(rows - 1, int(np.floor(cy * rows)))
            if area[row, col] > 0 and area[row, col] >= w * h:
                continue
            area[row, col] = w * h
            cell = out[n, row, col]
            cell[:] = 0
            cell[0] = 1
            cell[1] = cx * cols - col
            cell[2] = cy * rows - row
            cell[3] = min(1, w / image_width)
            cell[4] = min(1, h / image_height)
            cell[5 + cls] = 1
    return out


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def box_iou(a, b):
    """Intersection over union of two boxes (x, y, w, h); 0 when the union is empty."""
    iw = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    ih = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    inter = iw * ih if iw > 0 and ih > 0 else 0.0
    union = max(0, a[2]) * max(0, a[3]) + max(0, b[2]) * max(0, b[3]) - inter
    return inter / union if union > 0 else 0.0


def by_score(items):
    """Indices of (class, score, x, y, w, h) tuples, highest score first; ties keep their order."""
    return sorted(range(len(items)), key=lambda i: -items[i][1])


def nms(detections, iou_threshold=0.5):
    """Greedy non-maximum suppression per class (boxes of different classes never suppress each other)."""
    kept = []
    for i in by_score(detections):
        d = detections[i]
        if any(k[0] == d[0] and box_iou(k[2:], d[2:]) > iou_threshold for k in kept):
            continue
        kept.append(d)
    return kept


def decode_detections(output, image_width, image_height, score_threshold=0.01, iou=0.5):
    """The boxes of one image's raw grid output (rows×cols×(5 + K) logits) as (class, score, x, y,
    w, h) in pixels, after the score threshold and non-maximum suppression, best first."""
    output = output.astype(np.float64)
    rows, cols, channels = output.shape
    detections = []
    for r in range(rows):
        for c in range(cols):
            cell = output[r, c]
            objectness = sigmoid(cell[0])
            if objectness < score_threshold:
                continue
            scores = cell[5:]
            best = int(np.argmax(scores))
            exp = np.exp(scores - scores.max())
            score = objectness * exp[best] / exp.sum()
            if score < score_threshold:
                continue
            w = sigmoid(cell[3]) * image_width
            h = sigmoid(cell[4]) * image_height
            cx = (c + sigmoid(cell[1])) / cols * image_width
            cy = (r + sigmoid(cell[2])) / rows * image_height
            detections.append((best, float(score), cx - w / 2, cy - h / 2, w, h))
    detections = [detections[i] for i in by_score(detections)]
    return detections if iou is None else nms(detections, iou)


def all_point_ap(recall, precision):
    """All-point interpolated average precision (PASCAL VOC 2010+)."""
    envelope = [0.0] * (len(recall) + 1)
    for i in range(len(recall) - 1, -1, -1):
        envelope[i] = max(precision[i], envelope[i + 1])
    ap, previous = 0.0, 0.0
    for i, r in enumerate(recall):
        if r != previous:
            ap += (r - previous) * envelope[i]
            previous = r
    return ap


def evaluate_detections(detections, truths, num_classes, iou_threshold=0.5):
    """(mAP, per-class AP) as the PASCAL VOC devkit: detections[i] are image i's (class, score, x,
    y, w, h), truths[i] its (class, x, y, w, h). A class without truths has AP None and is left
    out of the mean."""
    per_class = []
    for k in range(num_classes):
        candidates = [(d[1], i, d) for i, image in enumerate(detections) for d in image if d[0] == k]
        truths_of = [[t[1:] for t in image if t[0] == k] for image in truths]
        count = sum(len(t) for t in truths_of)
        taken = [[False] * len(t) for t in truths_of]
        recall, precision, tp, fp = [], [], 0, 0
        for j in sorted(range(len(candidates)), key=lambda j: -candidates[j][0]):
            _, i, d = candidates[j]
            best, best_iou = -1, -np.inf
            for m, t in enumerate(truths_of[i]):
                overlap = box_iou(d[2:], t)
                if overlap > best_iou:
                    best, best_iou = m, overlap
            if best >= 0 and best_iou >= iou_threshold and not taken[i][best]:
                taken[i][best] = True
                tp += 1
            else:
                fp += 1
            recall.append(tp / count if count else 0.0)
            precision.append(tp / (tp + fp))
        per_class.append(all_point_ap(recall, precision) if count else None)
    aps = [a for a in per_class if a is not None]
    return (sum(aps) / len(aps) if aps else float('nan')), per_class`;
