// MathJax for the notebooks' $...$ and $$...$$ (mkdocs-jupyter leaves the TeX as text)
window.MathJax = {
  tex: { inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]] },
};
