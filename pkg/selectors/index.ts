export { SelectorError } from './errors';
export * from './labels';
export * from './fields';
