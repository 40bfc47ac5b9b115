/** esbuild bundles an imported stylesheet into a .css file beside the entry's .js. */
declare module '*.css';
