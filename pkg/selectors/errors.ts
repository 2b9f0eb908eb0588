// The one error type the selector parsers throw. The apiserver maps it to 400 BadRequest.

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}


export { goQuote } from '../util/go_strings';
