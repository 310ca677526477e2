export { finding, type Finding, type Severity } from './preflight-finding.js'
