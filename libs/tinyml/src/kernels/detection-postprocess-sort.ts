/**
 * The two index sorts of TFLM's detection_postprocess.cc, apart from the kernel because they are general
 * algorithms ported step for step (the kernel file would pass 400 lines with them): DecreasingPartialArgSort is
 * std::partial_sort as libstdc++ (GCC 12, the reference build's) implements it, a heap selection then sort_heap,
 * so even comparisons that are not a strict weak order (NaN scores) leave the indices where TFLM's build does;
 * DecreasingArgSort is TFLM's own stable merge sort with an insertion sort for short runs. Both allocate
 * nothing: they sort caller-provided Int32Arrays (TFLM's scratch buffers).
 */

/** TFLM's MergeSort hands runs shorter than this to its insertion sort. */
const INSERTION_SORT_BELOW = 20;

// ---- DecreasingPartialArgSort: std::partial_sort over indices (libstdc++: heap select, then sort_heap) ----

/**
 * The comparator of TFLM's DecreasingPartialArgSort, `tie(v[i], j) > tie(v[j], i)`: higher value first, ties to
 * the lower index. Values are read at `base + index` (TFLM passes a pointer into the scores).
 */
function before(values: Float32Array, base: number, i: number, j: number): boolean {
  const vi = values[base + i];
  const vj = values[base + j];
  if (vj < vi) return true;
  if (vi < vj) return false;
  return i < j;
}

/** libstdc++ __push_heap on heap[at..]: C++ integer division, `(hole - 1) / 2` truncating toward zero. */
function pushHeap(
  heap: Int32Array,
  at: number,
  hole: number,
  top: number,
  value: number,
  values: Float32Array,
  base: number,
): void {
  let parent = ((hole - 1) / 2) | 0;
  while (hole > top && before(values, base, heap[at + parent], value)) {
    heap[at + hole] = heap[at + parent];
    hole = parent;
    parent = ((hole - 1) / 2) | 0;
  }
  heap[at + hole] = value;
}

/** libstdc++ __adjust_heap: sift the hole down to a leaf, then push `value` up from there. */
function adjustHeap(
  heap: Int32Array,
  at: number,
  hole: number,
  len: number,
  value: number,
  values: Float32Array,
  base: number,
): void {
  const top = hole;
  let child = hole;
  while (child < (((len - 1) / 2) | 0)) {
    child = 2 * (child + 1);
    if (before(values, base, heap[at + child], heap[at + child - 1])) child--;
    heap[at + hole] = heap[at + child];
    hole = child;
  }
  if ((len & 1) === 0 && child === (((len - 2) / 2) | 0)) {
    child = 2 * (child + 1);
    heap[at + hole] = heap[at + child - 1];
    hole = child - 1;
  }
  pushHeap(heap, at, hole, top, value, values, base);
}

/** TFLM's DecreasingPartialArgSort: iota, then std::partial_sort of the first `numToSort` positions. */
export function decreasingPartialArgSort(
  values: Float32Array,
  base: number,
  numValues: number,
  numToSort: number,
  indices: Int32Array,
  at: number,
): void {
  for (let i = 0; i < numValues; i++) indices[at + i] = i;
  // __make_heap over [0, numToSort).
  if (numToSort >= 2) {
    for (let parent = ((numToSort - 2) / 2) | 0; parent >= 0; parent--)
      adjustHeap(indices, at, parent, numToSort, indices[at + parent], values, base);
  }
  // __heap_select: an element that sorts before the heap's top replaces it.
  for (let i = numToSort; i < numValues; i++) {
    if (before(values, base, indices[at + i], indices[at])) {
      const value = indices[at + i];
      indices[at + i] = indices[at];
      adjustHeap(indices, at, 0, numToSort, value, values, base);
    }
  }
  // __sort_heap.
  for (let last = numToSort - 1; last > 0; last--) {
    const value = indices[at + last];
    indices[at + last] = indices[at];
    adjustHeap(indices, at, 0, last, value, values, base);
  }
}

// ---- DecreasingArgSort: TFLM's stable merge sort with an insertion sort for short runs ----

/** TFLM's InsertionSort: std::upper_bound for the slot, std::rotate into it (stable). */
function insertionSort(indices: Int32Array, start: number, end: number, values: Float32Array): void {
  for (let i = start; i < end; i++) {
    const value = indices[i];
    let first = start;
    let len = i - start;
    while (len > 0) {
      const half = len >> 1;
      if (values[value] > values[indices[first + half]]) {
        len = half;
      } else {
        first += half + 1;
        len -= half + 1;
      }
    }
    for (let k = i; k > first; k--) indices[k] = indices[k - 1];
    indices[first] = value;
  }
}

function mergeSort(indices: Int32Array, start: number, n: number, scratch: Int32Array, values: Float32Array): void {
  if (n < INSERTION_SORT_BELOW) {
    insertionSort(indices, start, start + n, values);
    return;
  }
  const half = n >> 1;
  mergeSort(indices, start, half, scratch, values);
  mergeSort(indices, start + half, n - half, scratch, values);
  // TFLM's TopDownMerge: the right run's element goes first only when strictly greater.
  let left = 0;
  let right = half;
  for (let i = 0; i < n; i++) {
    if (left >= half || (right < n && values[indices[start + right]] > values[indices[start + left]])) {
      scratch[i] = indices[start + right++];
    } else {
      scratch[i] = indices[start + left++];
    }
  }
  for (let i = 0; i < n; i++) indices[start + i] = scratch[i];
}

/** TFLM's DecreasingArgSort: indices 0..n-1 by decreasing value, equal values in index order. */
export function decreasingArgSort(values: Float32Array, n: number, indices: Int32Array, scratch: Int32Array): void {
  for (let i = 0; i < n; i++) indices[i] = i;
  mergeSort(indices, 0, n, scratch, values);
}
