/** The four operations shared by the simulated arithmetic policies and the embedded Countdown model. */
export type ArithOp = '+' | '-' | '*' | '/';

export function applyOp(a: number, op: ArithOp, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
  }
}
