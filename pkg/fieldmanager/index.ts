export * from './fieldset';
export * from './listtypes';
export * from './managed';
export * from './merge';
export * from './update';
export * from './apply';
