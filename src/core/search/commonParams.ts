/** Engine parameters every strategy accepts: the catalog's list (catalog/info.ts), under the engine's import path. */
export { COMMON_PARAMS } from './catalog/info';
