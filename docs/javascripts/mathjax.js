// MathJax for the notebooks' $...$ and $$...$$ (mkdocs-jupyter leaves them as text)
window.MathJax = {
  tex: { inlineMath: [["$", "$"], ["\\(", "\\)"]], displayMath: [["$$", "$$"], ["\\[", "\\]"]] },
  options: { processHtmlClass: "jupyter-wrapper|arithmatex" },
};
