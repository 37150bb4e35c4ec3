/** Stylesheets imported for their side effect: esbuild collects them into the bundle's stylesheet. */
declare module '*.css';
