// Prints the introspection query GraphiQL sends (graphql-js's getIntrospectionQuery with
// every option GraphiQL turns on). Run by tests/tests/e2e/hardening/introspection.rs.
import { getIntrospectionQuery } from 'graphql';

console.log(
  getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
  }),
);
