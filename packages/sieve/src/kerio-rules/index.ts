// Kerio's rule model (rules.md) and its round trip with the user's Sieve script.
export * from './rule-model.js';
export { RULES_HEADER, rulesToSieve } from './rules-to-sieve.js';
export { sieveToRules } from './sieve-to-rules.js';
export { type RuleProblem, validateRules } from './validate-rules.js';
