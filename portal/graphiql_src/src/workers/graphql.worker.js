// monaco-graphql's language worker (completion and validation in the operation editor).
import 'monaco-graphql/esm/graphql.worker.js';
