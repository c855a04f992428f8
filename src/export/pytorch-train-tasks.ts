/**
 * The generated `train.py` of the PyTorch export for segmentation and detection graphs (the
 * classifier's is in pytorch-train.ts): reads a folder laid out as LayerLab reads one (images/
 * beside masks/ or YOLO labels/), trains model.py's module with LayerLab's loss for the task in
 * one process or several (torchrun, DistributedDataParallel), and after each epoch prints the
 * task's score on the held-out images (mean IoU and pixel accuracy, or mAP@0.5).
 *
 * The losses are those of src/tasks/losses.ts, written in PyTorch on N×C×H×W tensors:
 *   segmentation_loss  the model's probabilities (softmax, or one sigmoid channel), clipped to
 *                      [1e-7, 1 − 1e-7] before the log exactly as TensorFlow.js does, so the
 *                      numbers and their gradients are LayerLab's (not log_softmax of the scores:
 *                      that would differ where a probability is clipped);
 *   detection_loss     the grid's raw scores (logits).
 * The reading, target encoding, decoding and scoring are the NumPy code of python-tasks.ts.
 * Pure TypeScript: the script is a template.
 */
import { OPTIMIZERS } from '../graph/training-settings';
import { PY_OPTIMIZER_CHOICES, PY_SCHEDULE_ARGS, PY_TORCH_EPOCH_END, PY_TORCH_SCHEDULE, pythonMakeOptimizer, pythonSettings } from './codegraph';
import { docstringText, wrap } from './python';
import { PY_TASK_METRICS, PY_TASK_READERS } from './python-tasks';
import { PY_SETUP_DISTRIBUTED, pyModelAndLoader, type TrainScriptOptions } from './pytorch-train';

/** Python: LayerLab's segmentation loss in PyTorch (see the module comment). */
export const PY_TORCH_SEGMENTATION_LOSS = `def segmentation_loss(probabilities, masks, dice=False):
    """LayerLab's segmentation loss: mean over images and pixels of -sum_k y_k log p_k (p clipped
    to [1e-7, 1 - 1e-7]; binary cross-entropy for a one-channel sigmoid output), plus, with dice,
    1 - the mean over classes of the soft Dice (2 sum p*y + 1) / (sum p + sum y + 1), sums over
    the batch's pixels.

    probabilities: N×K×H×W (softmax over K) or N×1×H×W (probability of class 1);
    masks: N×H×W class indices (int64).
    """
    channels = probabilities.shape[1]
    p = probabilities.clamp(EPSILON, 1 - EPSILON)
    if channels == 1:
        y = masks.unsqueeze(1).to(p.dtype)
        loss = -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    else:
        y = F.one_hot(masks, channels).permute(0, 3, 1, 2).to(p.dtype)
        loss = -(y * torch.log(p)).sum(dim=1).mean()
    if dice:
        intersection = (probabilities * y).sum(dim=(0, 2, 3))
        sizes = probabilities.sum(dim=(0, 2, 3)) + y.sum(dim=(0, 2, 3))
        loss = loss + (1 - ((2 * intersection + 1) / (sizes + 1)).mean())
    return loss`;

/** Python: LayerLab's detection loss in PyTorch. */
export const PY_TORCH_DETECTION_LOSS = `def detection_loss(outputs, targets):
    """LayerLab's detection loss, summed over the cells and averaged over the images:
    objectness binary cross-entropy with logits (weight 1 where an object is, 0.5 elsewhere),
    5 × the squared error of the sigmoid of the 4 box scores in object cells, and the softmax
    cross-entropy of the class scores in object cells.

    outputs: N×(5 + K)×rows×cols raw scores; targets: the same shape, from encode_detection_targets.
    """
    t_object, t_box, t_class = targets[:, :1], targets[:, 1:5], targets[:, 5:]
    p_object, p_box, p_class = outputs[:, :1], outputs[:, 1:5], outputs[:, 5:]
    bce = p_object.clamp(min=0) - p_object * t_object + torch.log1p(torch.exp(-p_object.abs()))
    weight = t_object * (LOSS_WEIGHTS['object'] - LOSS_WEIGHTS['no_object']) + LOSS_WEIGHTS['no_object']
    object_loss = (bce * weight).sum()
    box_loss = ((torch.sigmoid(p_box) - t_box) ** 2 * t_object).sum() * LOSS_WEIGHTS['box']
    class_loss = -(t_class * F.log_softmax(p_class, dim=1) * t_object).sum() * LOSS_WEIGHTS['class']
    return (object_loss + box_loss + class_loss) / outputs.shape[0]`;

export function taskTrainScript({ title, training: t, augmentation, task }: TrainScriptOptions & { task: 'segmentation' | 'detection' }): string {
  const seg = task === 'segmentation';
  const settings =
    `optimizer ${t.optimizer}, learning rate ${t.learningRate}, batch size ${t.batchSize}, ${t.epochs} epoch${t.epochs === 1 ? '' : 's'}, ` +
    `${Math.round(t.validationSplit * 1000) / 10}% of the images held out for validation, seed ${t.seed}` +
    (seg ? `, loss ${t.segmentationLoss}` : '') +
    (t.dataset === 'custom' ? '.' : `; LayerLab trained it on its generated "${t.dataset}" set, which this script cannot make: pass your own folder.`) +
    (augmentation ? ` LayerLab also augments the training images (${augmentation}); this script does not.` : '');
  const layout = seg
    ? 'DIR holds images/ and masks/: one PNG mask per image with the same name (images/a.jpg ↔ masks/a.png, sub-folders too), ' +
      'each pixel\'s value its class index (0 = background; the first channel of a colour PNG, the index of a palette PNG), ' +
      'and optionally classes.txt, one class name per line. Images are stretched to the input size (bilinear), masks with ' +
      'nearest neighbours (so no new class values appear). Needs NumPy and Pillow.'
    : 'DIR holds images/ and labels/ in the YOLO layout: labels/a.txt for images/a.jpg, one object per line ' +
      '"class cx cy w h" (box centre and size as fractions of the image; an image without a label file has no objects), ' +
      'and optionally classes.txt, one class name per line. Images are stretched to the input size (the fractions stay right). ' +
      'Needs NumPy and Pillow.';
  const lossText = seg
    ? 'Loss (LayerLab\'s): per-pixel cross-entropy of the output\'s probabilities, clipped to [1e-7, 1 - 1e-7] before the log ' +
      'as TensorFlow.js does (so training matches LayerLab\'s numbers; the scores before a softmax are not used), ' +
      'plus soft Dice with --segmentation-loss cross-entropy+dice. With several processes, Dice is computed over each ' +
      'process\'s share of the batch.'
    : 'Loss (LayerLab\'s): objectness binary cross-entropy (weight 1 in cells holding an object\'s centre, 0.5 elsewhere), ' +
      '5 × squared error of the box, class cross-entropy, from the grid\'s raw scores. A cell learns at most one object: ' +
      'when two centres fall in one cell, the larger box keeps it.';
  const scoreText = seg
    ? '"epoch N loss X pixel_accuracy Y val_loss X val_mean_iou Y val_pixel_accuracy Y" (then "lr X", the rate the epoch trained with) after each epoch (mean IoU over ' +
      'the classes present in the truth or the prediction, background included), then the IoU of each class.'
    : '"epoch N loss X val_loss X val_map50 Y" (then "lr X", the rate the epoch trained with) after each epoch (mAP at IoU 0.5, all-point interpolated as PASCAL VOC, ' +
      'detections scoring at least 0.01 after non-maximum suppression at IoU 0.5, as LayerLab scores them), then the AP of each class.';

  return `"""Trains ${docstringText(title)} (model.py) for ${task} with PyTorch, exported from LayerLab.

One process (CPU, or the first GPU when there is one):

    python train.py --data DIR

Several processes with DistributedDataParallel (gloo on CPU, nccl on GPUs), e.g. two:

    torchrun --nproc_per_node=2 train.py --data DIR

${wrap(docstringText(layout))}

Options (defaults: the graph's training settings):
    --epochs N  --batch-size N  --lr X  --optimizer ${OPTIMIZERS.join('|')}  --seed N${seg ? '\n    --segmentation-loss cross-entropy|cross-entropy+dice' : ''}
    --lr-schedule none|step|cosine|plateau  --lr-factor F  --lr-step-epochs N  --lr-patience N  --min-lr X
    --weight-decay X  --early-stopping N  --keep-best-weights   (as LayerLab's trainer; see train.py --help)
    --limit N                   use only N images (a seeded random choice; a quick run)
    --weights model.safetensors start from the exported weights instead of a fresh initialisation
    --out trained.safetensors   where to save the trained weights (load them with model.load_model)
    --log-every N               print the loss every N steps
    --cpu                       train on the CPU even when there is a GPU

${wrap(docstringText(lossText))}

${wrap(
  docstringText(
    'Output (from the first process only): "step N loss X" every --log-every steps (averaged over the processes), ' + scoreText,
  ),
)}

${wrap(`Training settings from LayerLab: ${docstringText(settings)}`)}
"""
import argparse
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from model import INPUT_SHAPE, OUTPUT_SHAPE, Model, load_model, save_weights

${pythonSettings(t, false)}
TASK = '${task}'
EPSILON = 1e-7  # TensorFlow.js' clipping of probabilities before a log
${seg ? '' : "LOSS_WEIGHTS = {'object': 1.0, 'no_object': 0.5, 'box': 5.0, 'class': 1.0}\n"}

def output_problem():
    """Why the network's output does not fit the task, or None."""
    channels, height, width = INPUT_SHAPE
    if len(OUTPUT_SHAPE) != 3:
        return f"The network outputs {OUTPUT_SHAPE}, not a map: ${
          seg
            ? "a segmentation network ends with a 1×1 Conv 2D of one filter per class and softmax, on a map of the input's size."
            : 'a detection network ends with a 1×1 Conv 2D of 5 + classes filters and a linear activation (a grid).'
        }"
${
  seg
    ? `    if tuple(OUTPUT_SHAPE[1:]) != (height, width):
        return (f'The output map is {OUTPUT_SHAPE[1]}×{OUTPUT_SHAPE[2]} but the images are {height}×{width}: '
                'a segmentation network gives one class per pixel of the input.')`
    : `    if OUTPUT_SHAPE[0] < 6:
        return (f'The output grid has {OUTPUT_SHAPE[0]} channels per cell; a detection grid needs 5 + classes '
                '(objectness, 4 box values, at least one class score).')`
}
    return None


${seg ? "# Classes told apart: one per channel, or two for a single sigmoid channel.\nNUM_CLASSES = (OUTPUT_SHAPE[0] if OUTPUT_SHAPE[0] > 1 else 2) if len(OUTPUT_SHAPE) == 3 else 0" : '# The grid: rows, columns and object classes (channels - 5).\nNUM_CLASSES = OUTPUT_SHAPE[0] - 5 if len(OUTPUT_SHAPE) == 3 else 0\nROWS, COLS = (OUTPUT_SHAPE[1], OUTPUT_SHAPE[2]) if len(OUTPUT_SHAPE) == 3 else (0, 0)'}


# ---------------------------------------------------------------------------------------------
# Data (NumPy arrays channels last, as LayerLab's TypeScript)

${PY_TASK_READERS}


# ---------------------------------------------------------------------------------------------
# ${seg ? 'Masks and scores' : 'Grid targets, decoding and scores'}

${PY_TASK_METRICS}


# ---------------------------------------------------------------------------------------------
# Loss

${seg ? PY_TORCH_SEGMENTATION_LOSS : PY_TORCH_DETECTION_LOSS}


def loss_of(model, images, targets, dice=False):
    """The loss of a batch and the network's outputs (N×C×H×W)."""
    outputs = model(images)
    return ${seg ? 'segmentation_loss(outputs, targets, dice)' : 'detection_loss(outputs, targets)'}, outputs


# ---------------------------------------------------------------------------------------------
# Training

${PY_SETUP_DISTRIBUTED}


${pythonMakeOptimizer('pytorch')}


${PY_TORCH_SCHEDULE}


@torch.no_grad()
def evaluate(model, images, targets, truths, device, dice=False, batch_size=64):
    """Mean loss and the task's scores on a split (evaluation mode: dropout off, batch norm's moving statistics)."""
    model.eval()
    total_loss, outputs = 0.0, []
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size].to(device).float() / 255
        y = targets[start:start + batch_size].to(device)
        loss, out = loss_of(model, x, y, dice)
        total_loss += loss.item() * len(x)
        outputs.append(out.permute(0, 2, 3, 1).cpu().numpy())  # channels last, as LayerLab scores them
    model.train()
    outputs = np.concatenate(outputs)
${
  seg
    ? `    confusion = sum(confusion_matrix(mask_of_output(o), t, NUM_CLASSES) for o, t in zip(outputs, truths))
    mean_iou, per_class, pixel_accuracy = segmentation_scores(confusion)
    return total_loss / len(images), {'mean_iou': mean_iou, 'pixel_accuracy': pixel_accuracy, 'per_class': per_class}`
    : `    _, height, width = INPUT_SHAPE
    detections = [decode_detections(o, width, height, score_threshold=0.01, iou=0.5) for o in outputs]
    mean_ap, per_class = evaluate_detections(detections, truths, NUM_CLASSES, 0.5)
    return total_loss / len(images), {'map50': mean_ap, 'per_class': per_class}`
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\\n')[0])
    parser.add_argument('--data', help='${seg ? 'folder with images/ and masks/' : 'folder with images/ and labels/ (YOLO)'}, optionally classes.txt')
    parser.add_argument('--epochs', type=int, default=SETTINGS['epochs'])
    parser.add_argument('--batch-size', type=int, default=SETTINGS['batch_size'], help='total over all processes')
    parser.add_argument('--lr', type=float, default=SETTINGS['learning_rate'], help='learning rate')
    parser.add_argument('--optimizer', default=SETTINGS['optimizer'], choices=${PY_OPTIMIZER_CHOICES})
    parser.add_argument('--validation-split', type=float, default=SETTINGS['validation_split'])
    parser.add_argument('--seed', type=int, default=SETTINGS['seed'])
${PY_SCHEDULE_ARGS}
${seg ? "    parser.add_argument('--segmentation-loss', default=SETTINGS['segmentation_loss'], choices=['cross-entropy', 'cross-entropy+dice'])\n" : ''}    parser.add_argument('--limit', type=int, help='use only N images (a seeded random choice)')
    parser.add_argument('--weights', help='start from these weights (.safetensors), e.g. model.safetensors')
    parser.add_argument('--out', default='trained.safetensors', help='where to save the trained weights')
    parser.add_argument('--log-every', type=int, default=10, help='print the loss every N steps')
    parser.add_argument('--cpu', action='store_true', help='train on the CPU even when there is a GPU')
    args = parser.parse_args()
    problem = output_problem()
    if problem:
        raise SystemExit(problem)
    if not args.data or not os.path.isdir(args.data):
        raise SystemExit('Pass --data DIR: a folder with ${seg ? 'images/ and masks/ (PNG, pixel value = class index)' : 'images/ and labels/ (YOLO .txt files)'}.')
    dice = ${seg ? "args.segmentation_loss == 'cross-entropy+dice'" : 'False'}

    rank, world_size, device = setup_distributed(args.cpu)
    torch.manual_seed(args.seed)  # the same initial weights in every process

    channels, height, width = INPUT_SHAPE
${
  seg
    ? `    images, masks, names = load_segmentation_folder(args.data, height, width, channels, NUM_CLASSES)
    truths = masks  # N×H×W class indices
    targets = torch.from_numpy(masks.astype(np.int64))`
    : `    images, truths, names = load_detection_folder(args.data, height, width, channels, NUM_CLASSES)
    # truths: per image [(class, x, y, w, h)] in pixels of the resized image
    grid = encode_detection_targets(truths, ROWS, COLS, NUM_CLASSES, height, width)
    targets = torch.from_numpy(grid).permute(0, 3, 1, 2).contiguous()  # N×(5 + K)×rows×cols`
}
    images = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()  # uint8 N×C×H×W, scaled to 0-1 per batch
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))
    if args.limit:
        order = order[:args.limit]
    if rank == 0:
        print('classes:', ', '.join(names), flush=True)
    # Hold out a seeded share of the images for validation.
    held_out = int(len(order) * args.validation_split)
    val, train = order[:held_out], order[held_out:]
    val_images, val_targets, val_truths = images[val], targets[val], [truths[i] for i in val.tolist()]
    images, targets = images[train], targets[train]

${pyModelAndLoader('targets')}
    step = 0
    started = time.time()
    scores = None
    for epoch in range(1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)  # a different shuffle every epoch, the same in every process
        loss_sum, correct, pixels, seen = 0.0, 0.0, 0.0, 0
        for x, y in loader:
            x = x.to(device).float() / 255
            y = y.to(device)
            loss, outputs = loss_of(model, x, y, dice)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # DistributedDataParallel averages the gradients over the processes here
            decay_weights(parameters, optimizer.param_groups[0]['lr'], args.weight_decay)
            optimizer.step()
            step += 1
            loss_sum += loss.item() * len(x)
            seen += len(x)
${
  seg
    ? `            with torch.no_grad():
                predicted = (outputs[:, 0] >= 0.5).long() if outputs.shape[1] == 1 else outputs.argmax(dim=1)
                correct += (predicted == y).sum().item()
                pixels += y.numel()
`
    : ''
}            if step % args.log_every == 0:
                value = loss.detach().clone()
                if world_size > 1:
                    dist.all_reduce(value)
                    value /= world_size
                if rank == 0:
                    print(f'step {step} loss {value.item():.6f}', flush=True)
        totals = torch.tensor([loss_sum, correct, pixels, seen], dtype=torch.float64, device=device)
        if world_size > 1:
            dist.all_reduce(totals)  # the epoch's figures over all processes
        # Every process scores the validation images, so that the schedule and early stopping
        # decide alike in all of them.
        val_loss = None
        if held_out:
            val_loss, scores = evaluate(net, val_images, val_targets, val_truths, device, dice)
            if world_size > 1:  # rank 0's number decides in every process
                shared = torch.tensor([val_loss], dtype=torch.float64, device=device)
                dist.broadcast(shared, 0)
                val_loss = shared.item()
            best.record(epoch, val_loss, net)
        if rank == 0:
            line = f'epoch {epoch} loss {totals[0].item() / max(totals[3].item(), 1):.6f}'
${seg ? "            line += f' pixel_accuracy {totals[1].item() / max(totals[2].item(), 1):.4f}'\n" : ''}            if held_out:
${
  seg
    ? "                line += f\" val_loss {val_loss:.6f} val_mean_iou {scores['mean_iou']:.4f} val_pixel_accuracy {scores['pixel_accuracy']:.4f}\""
    : "                line += f\" val_loss {val_loss:.6f} val_map50 {scores['map50']:.4f}\""
}
            line += f" lr {optimizer.param_groups[0]['lr']:.8g}"
            print(f'{line} ({time.time() - started:.1f} s)', flush=True)
${PY_TORCH_EPOCH_END}
    if rank == 0:
        if scores is not None:
            what = '${seg ? 'IoU' : 'AP at IoU 0.5'}'
            per_class = ', '.join(f'{name} {"-" if v is None else f"{v:.3f}"}' for name, v in zip(names, scores['per_class']))
            print(f'held-out {what} per class: {per_class}', flush=True)
        save_weights(net, args.out)
        print(f'saved {args.out}', flush=True)
    if world_size > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
}
