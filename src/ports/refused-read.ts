/** A read the runtime does not serve; create-app answers it as 501 with the one line naming the variable. */
export class RefusedReadError extends Error {
  override name = "RefusedReadError";
}
