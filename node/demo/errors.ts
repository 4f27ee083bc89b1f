// The one error the demo expects: a sentence for the person running it, printed without a stack.
export class DemoError extends Error {}
