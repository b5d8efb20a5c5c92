/** Catches the error a function throws, to look at it; fails when it does not throw. */
export const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};
