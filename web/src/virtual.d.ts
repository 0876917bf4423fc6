// Modules made by vite.config.ts.
declare module 'virtual:d3-force' {
  /** Imports d3-force; in the production build, from its own file, fetched only when first called. */
  const load: () => Promise<typeof import('d3-force')>;
  export default load;
}
