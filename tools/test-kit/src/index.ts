export { runReadmeExample } from './readme-example.js';
