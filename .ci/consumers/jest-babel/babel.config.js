// As Jest's "Using Babel" guide has it.
module.exports = {
  presets: [['@babel/preset-env', { targets: { node: 'current' } }]],
};
