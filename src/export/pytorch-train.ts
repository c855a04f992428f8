/**
 * The generated `train.py` of the PyTorch export: trains model.py's module in one process, or in
 * several with DistributedDataParallel when started by torchrun (or by anything that sets the
 * same environment variables). Pure TypeScript: the script is a template filled with the graph's
 * training settings. Segmentation and detection graphs get the script of pytorch-train-tasks.ts.
 */
import { OPTIMIZERS, type TaskName } from '../graph/training-settings';
import { PY_OPTIMIZER_CHOICES, PY_SCHEDULE_ARGS, PY_TORCH_EPOCH_END, PY_TORCH_SCHEDULE, pythonMakeOptimizer, pythonSettings, type ResolvedTraining } from './codegraph';
import { docstringText, PY_FIND_IDX, wrap } from './python';
import { taskTrainScript } from './pytorch-train-tasks';

export interface TrainScriptOptions {
  title: string;
  training: ResolvedTraining;
  /** Augmentation LayerLab applies that the script does not ('' when none). */
  augmentation: string;
  /** The network's output is a vector of class scores (else the classifier's script refuses to train). */
  outputIsVector: boolean;
  /** What the graph is for (default: its training settings' task); segmentation and detection get their own script. */
  task?: TaskName;
}

export function trainScript(options: TrainScriptOptions): string {
  const task = options.task ?? options.training.task ?? 'classification';
  if (task === 'segmentation' || task === 'detection') return taskTrainScript({ ...options, task });
  const { title, training: t, augmentation, outputIsVector } = options;
  const settings =
    `optimizer ${t.optimizer}, learning rate ${t.learningRate}, batch size ${t.batchSize}, ${t.epochs} epoch${t.epochs === 1 ? '' : 's'}, ` +
    `${Math.round(t.validationSplit * 1000) / 10}% of the training images held out for validation, seed ${t.seed}` +
    (t.dataset === 'mnist' || t.dataset === 'fashion-mnist' ? `; LayerLab trained it on ${t.dataset === 'mnist' ? 'MNIST' : 'Fashion-MNIST'}.` : '.') +
    (augmentation ? ` LayerLab also augments the training images (${augmentation}); this script does not.` : '');
  return `"""Trains ${docstringText(title)} (model.py) with PyTorch, exported from LayerLab.

One process (CPU, or the first GPU when there is one):

    python train.py --data DIR

Several processes with DistributedDataParallel (gloo on CPU, nccl on GPUs), e.g. two:

    torchrun --nproc_per_node=2 train.py --data DIR

${wrap(
  'DIR holds MNIST-style IDX files (train-images-idx3-ubyte and train-labels-idx1-ubyte, optionally ' +
    't10k-images-idx3-ubyte and t10k-labels-idx1-ubyte for a test score; gzipped .gz files work too), such as ' +
    'MNIST or Fashion-MNIST, or one sub-folder of images per class (reading images needs Pillow).',
)}

Options (defaults: the graph's training settings):
    --epochs N  --batch-size N  --lr X  --optimizer ${OPTIMIZERS.join('|')}  --seed N
    --lr-schedule none|step|cosine|plateau  --lr-factor F  --lr-step-epochs N  --lr-patience N  --min-lr X
    --weight-decay X            decoupled weight decay, as AdamW (w -= lr * X * w every step)
    --early-stopping N          stop after N epochs without a new validation-loss low (0: never)
    --keep-best-weights         end with the weights of the epoch with the lowest validation loss
    --limit N                   use only the first N images of each split (a quick run)
    --weights model.safetensors start from the exported weights instead of a fresh initialisation
    --out trained.safetensors   where to save the trained weights (load them with model.load_model)
    --log-every N               print the loss every N steps
    --cpu                       train on the CPU even when there is a GPU

${wrap(
  'The batch size is the total over all processes: each of W processes takes batch-size / W images per step, ' +
    'and DistributedDataParallel averages their gradients, so a step is the same as one process with the whole batch.',
)}

${wrap(
  'Batch normalization computes its statistics over each process\'s share of the batch (wrap the model with ' +
    'torch.nn.SyncBatchNorm.convert_sync_batchnorm for statistics over the whole batch on GPUs).',
)}

${wrap(
  'Output (from the first process only): "step N loss X" every --log-every steps (the loss averaged over the ' +
    'processes), "epoch N loss X accuracy Y val_loss X val_accuracy Y lr X" after each epoch (lr: the rate the epoch trained with), ' +
    '"stopped early at epoch N" and "kept epoch N\'s weights" when that happens, "test loss X accuracy Y" at the end.',
)}

${wrap(`Training settings from LayerLab: ${docstringText(settings)}`)}
"""
import argparse
import gzip
import os
import struct
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from model import INPUT_SHAPE, OUTPUT_IS_SOFTMAX, OUTPUT_SHAPE, Model, load_model, save_weights

${pythonSettings(t, false)}


# ---------------------------------------------------------------------------------------------
# Data: images as uint8 N×C×H×W tensors (scaled to 0-1 per batch), labels as int64.

def read_idx(path):
    """One IDX file (MNIST's format: big-endian header, then unsigned bytes) as a uint8 tensor."""
    with (gzip.open if path.endswith('.gz') else open)(path, 'rb') as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 8:
        raise SystemExit(f'{path} is not an IDX file of unsigned bytes.')
    ndim = data[3]
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).reshape(dims)


${PY_FIND_IDX}


def idx_split(folder, images_name, labels_name, limit):
    images = read_idx(find_idx(folder, images_name))
    labels = read_idx(find_idx(folder, labels_name)).long()
    if images.dim() != 3 or labels.dim() != 1 or len(images) != len(labels):
        raise SystemExit(f'{folder}: expected N×height×width images and N labels.')
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images.unsqueeze(1), labels  # N×1×H×W


def load_image_folder(folder):
    """One sub-folder of images per class; each image is scaled to cover the input size and centre-cropped."""
    try:
        from PIL import Image, ImageOps
    except ImportError:
        raise SystemExit('Reading a folder of images needs Pillow (pip install pillow); or pass a folder of IDX files.')
    channels, height, width = INPUT_SHAPE
    classes = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)) and not d.startswith('.'))
    if len(classes) < 2:
        raise SystemExit(f'{folder} needs at least two sub-folders, one per class.')
    images, labels = [], []
    for label, name in enumerate(classes):
        for root, _, files in sorted(os.walk(os.path.join(folder, name))):
            for file in sorted(files):
                if file.startswith('.'):
                    continue
                try:
                    image = Image.open(os.path.join(root, file))
                    image.load()
                except OSError:
                    print(f'skipped {os.path.join(root, file)}: not an image')
                    continue
                if image.mode in ('RGBA', 'LA', 'P'):  # transparent parts on black, as in LayerLab
                    image = Image.alpha_composite(Image.new('RGBA', image.size, (0, 0, 0, 255)), image.convert('RGBA'))
                image = ImageOps.fit(image.convert('L' if channels == 1 else 'RGB'), (width, height), Image.BILINEAR)
                pixels = torch.frombuffer(bytearray(image.tobytes()), dtype=torch.uint8)
                images.append(pixels.reshape(height, width, channels).permute(2, 0, 1))
                labels.append(label)
    print('classes:', ', '.join(classes))
    return torch.stack(images), torch.tensor(labels)


def load_data(folder, limit):
    """(train images, train labels), test split or None."""
    if not folder or not os.path.isdir(folder):
        raise SystemExit('Pass --data DIR: a folder with MNIST-style IDX files or one sub-folder of images per class.')
    if find_idx(folder, 'train-images-idx3-ubyte'):
        train = idx_split(folder, 'train-images-idx3-ubyte', 'train-labels-idx1-ubyte', limit)
        test = None
        if find_idx(folder, 't10k-images-idx3-ubyte'):
            test = idx_split(folder, 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', limit)
    else:
        images, labels = load_image_folder(folder)
        if limit:  # a random slice (seeded): the folders are read class by class
            order = torch.randperm(len(images), generator=torch.Generator().manual_seed(0))[:limit]
            images, labels = images[order], labels[order]
        train, test = (images, labels), None
    if tuple(train[0].shape[1:]) != tuple(INPUT_SHAPE):
        raise SystemExit(f'The images are {tuple(train[0].shape[1:])} (channels, height, width) but the model takes {INPUT_SHAPE}.')
    return train, test


# ---------------------------------------------------------------------------------------------
# Training

${PY_SETUP_DISTRIBUTED}


${pythonMakeOptimizer('pytorch')}


${PY_TORCH_SCHEDULE}


def loss_of(model, images, labels):
    """Cross-entropy of the network's class probabilities for the true labels, and the class scores."""
    if OUTPUT_IS_SOFTMAX:
        # From the scores before the softmax: log_softmax never takes the log of 0, so this stays
        # finite where log(softmax(x)) would give -inf.
        scores = model(images, return_logits=True)
        return F.cross_entropy(scores, labels), scores
    # The output is not a softmax: like TensorFlow.js, scale it to sum 1 and clip before the log.
    outputs = model(images)
    probabilities = outputs / outputs.sum(dim=1, keepdim=True)
    return F.nll_loss(torch.log(probabilities.clamp(1e-7, 1 - 1e-7)), labels), outputs


@torch.no_grad()
def evaluate(model, images, labels, device, batch_size=256):
    """Mean loss and accuracy on a split (evaluation mode: dropout off, batch norm's moving statistics)."""
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size].to(device).float() / 255
        y = labels[start:start + batch_size].to(device)
        loss, scores = loss_of(model, x, y)
        total_loss += loss.item() * len(y)
        correct += (scores.argmax(dim=1) == y).sum().item()
    model.train()
    return total_loss / max(len(images), 1), correct / max(len(images), 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\\n')[0])
    parser.add_argument('--data', help='folder with MNIST-style IDX files or with one sub-folder of images per class')
    parser.add_argument('--epochs', type=int, default=SETTINGS['epochs'])
    parser.add_argument('--batch-size', type=int, default=SETTINGS['batch_size'], help='total over all processes')
    parser.add_argument('--lr', type=float, default=SETTINGS['learning_rate'], help='learning rate')
    parser.add_argument('--optimizer', default=SETTINGS['optimizer'], choices=${PY_OPTIMIZER_CHOICES})
    parser.add_argument('--validation-split', type=float, default=SETTINGS['validation_split'])
    parser.add_argument('--seed', type=int, default=SETTINGS['seed'])
${PY_SCHEDULE_ARGS}
    parser.add_argument('--limit', type=int, help='use only the first N images of each split')
    parser.add_argument('--weights', help='start from these weights (.safetensors), e.g. model.safetensors')
    parser.add_argument('--out', default='trained.safetensors', help='where to save the trained weights')
    parser.add_argument('--log-every', type=int, default=10, help='print the loss every N steps')
    parser.add_argument('--cpu', action='store_true', help='train on the CPU even when there is a GPU')
    args = parser.parse_args()
${
  outputIsVector
    ? ''
    : `    raise SystemExit(f'The network outputs {OUTPUT_SHAPE}, not a vector of class scores: this script trains classifiers only.')
`
}
    rank, world_size, device = setup_distributed(args.cpu)
    torch.manual_seed(args.seed)  # the same initial weights in every process

    (images, labels), test = load_data(args.data, args.limit)
    # Hold out a seeded share of the training images for validation.
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(args.seed))
    held_out = int(len(images) * args.validation_split)
    val_images, val_labels = images[order[:held_out]], labels[order[:held_out]]
    images, labels = images[order[held_out:]], labels[order[held_out:]]
    if labels.max().item() >= OUTPUT_SHAPE[0]:
        raise SystemExit(f'The data has {labels.max().item() + 1} classes but the network outputs {OUTPUT_SHAPE[0]} scores.')

${pyModelAndLoader('labels')}
    step = 0
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        if sampler is not None:
            sampler.set_epoch(epoch)  # a different shuffle every epoch, the same in every process
        loss_sum, correct, seen = 0.0, 0, 0
        for x, y in loader:
            x = x.to(device).float() / 255
            y = y.to(device)
            loss, scores = loss_of(model, x, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()  # DistributedDataParallel averages the gradients over the processes here
            decay_weights(parameters, optimizer.param_groups[0]['lr'], args.weight_decay)
            optimizer.step()
            step += 1
            loss_sum += loss.item() * len(y)
            correct += (scores.argmax(dim=1) == y).sum().item()
            seen += len(y)
            if step % args.log_every == 0:
                value = loss.detach().clone()
                if world_size > 1:
                    dist.all_reduce(value)
                    value /= world_size
                if rank == 0:
                    print(f'step {step} loss {value.item():.6f}', flush=True)
        totals = torch.tensor([loss_sum, correct, seen], dtype=torch.float64, device=device)
        if world_size > 1:
            dist.all_reduce(totals)  # the epoch's figures over all processes
        # Every process scores the validation images, so that the schedule and early stopping
        # decide alike in all of them.
        val_loss = None
        if held_out:
            val_loss, val_accuracy = evaluate(net, val_images, val_labels, device)
            if world_size > 1:  # rank 0's number decides in every process
                shared = torch.tensor([val_loss], dtype=torch.float64, device=device)
                dist.broadcast(shared, 0)
                val_loss = shared.item()
            best.record(epoch, val_loss, net)
        if rank == 0:
            loss_mean, accuracy = (totals[:2] / max(totals[2].item(), 1)).tolist()
            line = f'epoch {epoch} loss {loss_mean:.6f} accuracy {accuracy:.4f}'
            if held_out:
                line += f' val_loss {val_loss:.6f} val_accuracy {val_accuracy:.4f}'
            line += f" lr {optimizer.param_groups[0]['lr']:.8g}"
            print(f'{line} ({time.time() - started:.1f} s)', flush=True)
${PY_TORCH_EPOCH_END}
    if rank == 0:
        if test is not None:
            test_loss, test_accuracy = evaluate(net, test[0], test[1], device)
            print(f'test loss {test_loss:.6f} accuracy {test_accuracy:.4f}', flush=True)
        save_weights(net, args.out)
        print(f'saved {args.out}', flush=True)
    if world_size > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;
}

/** Python: `setup_distributed(force_cpu)` → (rank, world size, device), shared by every train.py. */
/**
 * The model, optimizer and data loader of a generated train.py (in main(), after the training
 * images and their `targets` tensor are ready): DistributedDataParallel and a DistributedSampler
 * when several processes train, each taking its share of every batch.
 */
export function pyModelAndLoader(targets: string): string {
  return `    net = load_model(args.weights, device) if args.weights else Model().to(device)
    net.train()
    model = net
    if world_size > 1:
        model = DistributedDataParallel(net, device_ids=[device.index] if device.type == 'cuda' else None)
    parameters = [p for p in net.parameters() if p.requires_grad]
    optimizer = make_optimizer(args.optimizer, parameters, args.lr)
    scheduler = make_scheduler(optimizer, args)
    best = BestEpoch(args.early_stopping, bool(held_out) and (args.keep_best_weights or args.early_stopping > 0))

    # Each process takes its share of every batch; DistributedSampler gives each process a
    # different, equally long part of the (shuffled) training images.
    per_process = max(1, args.batch_size // world_size)
    train_set = TensorDataset(images, ${targets})
    if world_size > 1:
        sampler = DistributedSampler(train_set, num_replicas=world_size, rank=rank, shuffle=True, seed=args.seed)
        loader = DataLoader(train_set, batch_size=per_process, sampler=sampler)
    else:
        sampler = None
        loader = DataLoader(train_set, batch_size=per_process, shuffle=True,
                            generator=torch.Generator().manual_seed(args.seed))
    if rank == 0:
        print(f'training on {len(images)} images ({held_out} held out) for {args.epochs} epochs, '
              f'{world_size} process(es) on {device.type}, batch {per_process * world_size}, '
              f'{args.optimizer} lr {args.lr}', flush=True)
`;
}

export const PY_SETUP_DISTRIBUTED = `def setup_distributed(force_cpu):
    """Rank, world size and device of this process.

    torchrun starts one process per worker and tells each who it is through the environment:
    RANK (0 … WORLD_SIZE-1 over all machines), LOCAL_RANK (on this machine: which GPU to use),
    WORLD_SIZE, MASTER_ADDR and MASTER_PORT (where process 0 listens). Without them this is the
    only process.
    """
    world_size = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    use_cuda = torch.cuda.is_available() and not force_cpu
    device = torch.device('cuda', local_rank) if use_cuda else torch.device('cpu')
    if use_cuda:
        torch.cuda.set_device(device)
    if world_size > 1:
        # MASTER_ADDR and MASTER_PORT are read by the env:// rendezvous.
        dist.init_process_group('nccl' if use_cuda else 'gloo', init_method='env://', rank=rank, world_size=world_size)
    return rank, world_size, device`;
