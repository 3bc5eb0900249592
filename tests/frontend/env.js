// What a bundler would define: urql's ES modules read `process.env.NODE_ENV`.
globalThis.process = { env: { NODE_ENV: "production" } };
