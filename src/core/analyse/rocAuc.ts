/** Area under the ROC curve, for benchmarks that ask whether a score ranks one class above the other. */

/** P(score of a positive > score of a negative), ties counted half; O(n log n) by ranks. */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j]![0] === order[i]![0]) j++;
    const midRank = (i + j + 1) / 2; // ranks i+1 … j share their mean
    for (let k = i; k < j; k++) if (labels[order[k]![1]]) {
      rankSum += midRank;
      positives++;
    }
    i = j;
  }
  const negatives = order.length - positives;
  return positives === 0 || negatives === 0 ? NaN : (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
