"""Figures (matplotlib 3.x era)."""
import matplotlib.cm as cm
import matplotlib.pyplot as plt


def heatmap(data, name="viridis"):
    cmap = cm.get_cmap(name)
    fig, ax = plt.subplots()
    ax.imshow(data, cmap=cmap)
    return fig
