from cnnref import recipes

result = recipes.run("digits", quick=True)  # LeNet-5 on scikit-learn's digits, a few seconds
print(result.recipe.title)
print({name: round(value, 3) for name, value in result.metrics.items()})

filters = result.model.c1.weight  # (6, 1, 5, 5): the first layer's learned filters
print(filters.shape)
